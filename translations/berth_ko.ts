<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>Berth::Gui::ImagesModel</name>
    <message>
        <source>Repository</source>
        <translation>저장소</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>태그</translation>
    </message>
    <message>
        <source>Image ID</source>
        <translation>이미지 ID</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>생성</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::MainWindow</name>
    <message>
        <source>Berth</source>
        <translation>Berth</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Images&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;이미지&lt;/h2&gt;</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::WelcomePage</name>
    <message>
        <source>Welcome to Berth</source>
        <translation>Berth에 오신 것을 환영합니다</translation>
    </message>
    <message>
        <source>An &lt;b&gt;image&lt;/b&gt; holds everything a program needs to run: its files, libraries and settings. It never changes.&lt;br&gt;&lt;br&gt;An image is a stack of read-only &lt;b&gt;layers&lt;/b&gt;; each layer adds or changes files, and images that share layers store them only once.&lt;br&gt;&lt;br&gt;A &lt;b&gt;container&lt;/b&gt; is a running copy of an image with one writable layer on top, so starting many containers costs little disk.</source>
        <translation>&lt;b&gt;이미지&lt;/b&gt;에는 프로그램 실행에 필요한 모든 것, 즉 파일과 라이브러리와 설정이 들어 있습니다. 이미지는 절대 바뀌지 않습니다.&lt;br&gt;&lt;br&gt;이미지는 읽기 전용 &lt;b&gt;레이어&lt;/b&gt;를 쌓은 것입니다. 레이어마다 파일을 추가하거나 바꾸며, 레이어를 공유하는 이미지들은 그 레이어를 한 번만 저장합니다.&lt;br&gt;&lt;br&gt;&lt;b&gt;컨테이너&lt;/b&gt;는 이미지 위에 쓰기 가능한 레이어 하나를 올려 실행한 복사본이므로, 컨테이너를 많이 띄워도 디스크를 거의 쓰지 않습니다.</translation>
    </message>
    <message>
        <source>Create a starter image (no network needed)</source>
        <translation>시작용 이미지 만들기 (네트워크 필요 없음)</translation>
    </message>
    <message>
        <source>It is a small image made from this computer&apos;s BusyBox: a shell and the usual command-line tools.</source>
        <translation>이 컴퓨터의 BusyBox로 만드는 작은 이미지로, 셸과 흔히 쓰는 명령줄 도구가 들어 있습니다.</translation>
    </message>
    <message>
        <source>Creating the starter image…</source>
        <translation>시작용 이미지를 만드는 중…</translation>
    </message>
    <message>
        <source>The starter image could not be created: %1</source>
        <translation>시작용 이미지를 만들지 못했습니다: %1</translation>
    </message>
</context>
</TS>
