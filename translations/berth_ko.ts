<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>Berth::Gui::BuildPage</name>
    <message>
        <source>A folder, or a git repository: https://host/repo.git#branch-or-tag:subfolder</source>
        <translation>폴더 또는 git 저장소: https://host/repo.git#브랜치-또는-태그:하위폴더</translation>
    </message>
    <message>
        <source>The files the Dockerfile can copy. A git URL is cloned at the ref after #, and the image gets the commit as its org.opencontainers.image.revision label.</source>
        <translation>Dockerfile이 복사할 수 있는 파일입니다. git URL은 # 뒤의 참조로 복제되고, 이미지에는 그 커밋이 org.opencontainers.image.revision 레이블로 기록됩니다.</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>폴더…</translation>
    </message>
    <message>
        <source>&amp;Context:</source>
        <translation>컨텍스트(&amp;C):</translation>
    </message>
    <message>
        <source>Dockerfile (in the context)</source>
        <translation>Dockerfile (컨텍스트 안)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>&amp;Dockerfile:</source>
        <translation>Dockerfile(&amp;D):</translation>
    </message>
    <message>
        <source>name:tag (optional)</source>
        <translation>이름:태그 (선택)</translation>
    </message>
    <message>
        <source>the last stage</source>
        <translation>마지막 스테이지</translation>
    </message>
    <message>
        <source>Tar&amp;get stage:</source>
        <translation>대상 스테이지(&amp;G):</translation>
    </message>
    <message>
        <source>Do not use the build cac&amp;he</source>
        <translation>빌드 캐시 사용 안 함(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Tag:</source>
        <translation>태그(&amp;T):</translation>
    </message>
    <message>
        <source>KEY=value OTHER=&apos;two words&apos;</source>
        <translation>KEY=값 OTHER=&apos;두 단어&apos;</translation>
    </message>
    <message>
        <source>Values for the Dockerfile&apos;s ARG instructions</source>
        <translation>Dockerfile의 ARG 명령에 줄 값</translation>
    </message>
    <message>
        <source>Build &amp;arguments:</source>
        <translation>빌드 인자(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Build</source>
        <translation>빌드(&amp;B)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Each step of the build, the Dockerfile line that made it, and whether its result came from the build cache</source>
        <translation>빌드의 각 단계와 그 단계를 만든 Dockerfile 줄, 결과가 빌드 캐시에서 왔는지 여부</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>출력</translation>
    </message>
    <message>
        <source>Dockerfile</source>
        <translation>Dockerfile</translation>
    </message>
    <message>
        <source>Open in &amp;layer explorer</source>
        <translation>레이어 탐색기에서 열기(&amp;L)</translation>
    </message>
    <message>
        <source>Choose the build context folder</source>
        <translation>빌드 컨텍스트 폴더 선택</translation>
    </message>
    <message>
        <source>Choose the Dockerfile</source>
        <translation>Dockerfile 선택</translation>
    </message>
    <message>
        <source>Choose a folder or enter a git URL to build from.</source>
        <translation>빌드할 폴더를 고르거나 git URL을 입력하세요.</translation>
    </message>
    <message>
        <source>Build arguments are KEY=value pairs; &quot;%1&quot; is not.</source>
        <translation>빌드 인자는 KEY=값 쌍이어야 합니다. &quot;%1&quot;은(는) 그렇지 않습니다.</translation>
    </message>
    <message>
        <source>Cloning and building…</source>
        <translation>복제하고 빌드하는 중…</translation>
    </message>
    <message>
        <source>Building…</source>
        <translation>빌드하는 중…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>취소하는 중…</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation>단계 %1/%2: %3</translation>
    </message>
    <message>
        <source>Built: %1 steps ran, %2 came from the cache.</source>
        <translation>빌드 완료: %1개 단계를 실행했고, %2개는 캐시에서 가져왔습니다.</translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation>이미지 %1</translation>
    </message>
    <message>
        <source>Image %1, tagged %2</source>
        <translation>이미지 %1, 태그 %2</translation>
    </message>
    <message>
        <source>(commit %1)</source>
        <translation>(커밋 %1)</translation>
    </message>
    <message>
        <source>Built the image %1</source>
        <translation>이미지 %1을(를) 빌드했습니다</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>취소했습니다.</translation>
    </message>
    <message>
        <source>The build was cancelled. Steps that had finished are in the build cache for the next build.</source>
        <translation>빌드를 취소했습니다. 끝난 단계는 다음 빌드를 위해 빌드 캐시에 남아 있습니다.</translation>
    </message>
    <message>
        <source>The build failed.</source>
        <translation>빌드에 실패했습니다.</translation>
    </message>
    <message>
        <source>Line %1 of the Dockerfile: %2</source>
        <translation>Dockerfile %1번째 줄: %2</translation>
    </message>
    <message>
        <source>The image could not be built.</source>
        <translation>이미지를 빌드하지 못했습니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::BuildStepsModel</name>
    <message>
        <source>running…</source>
        <translation>실행 중…</translation>
    </message>
    <message>
        <source>cached</source>
        <translation>캐시</translation>
    </message>
    <message>
        <source>ran</source>
        <translation>실행함</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>취소됨</translation>
    </message>
    <message>
        <source>base image</source>
        <translation>기반 이미지</translation>
    </message>
    <message>
        <source>--label</source>
        <translation>--label</translation>
    </message>
    <message>
        <source>%1–%2</source>
        <translation>%1–%2</translation>
    </message>
    <message>
        <source>%1 (ONBUILD)</source>
        <translation>%1 (ONBUILD)</translation>
    </message>
    <message>
        <source>%1 and %2 more</source>
        <translation>%1 외 %2개</translation>
    </message>
    <message>
        <source>first build of this step</source>
        <translation>이 단계의 첫 빌드</translation>
    </message>
    <message>
        <source>the cache was not used</source>
        <translation>캐시를 사용하지 않음</translation>
    </message>
    <message>
        <source>the cached result was removed</source>
        <translation>캐시된 결과가 삭제됨</translation>
    </message>
    <message>
        <source>the instruction changed</source>
        <translation>명령이 바뀜</translation>
    </message>
    <message>
        <source>build arguments changed: %1</source>
        <translation>빌드 인자가 바뀜: %1</translation>
    </message>
    <message>
        <source>%1 changed</source>
        <translation>%1 바뀜</translation>
    </message>
    <message>
        <source>%1 added</source>
        <translation>%1 추가됨</translation>
    </message>
    <message>
        <source>%1 removed</source>
        <translation>%1 삭제됨</translation>
    </message>
    <message>
        <source>the downloaded file changed</source>
        <translation>내려받은 파일이 바뀜</translation>
    </message>
    <message>
        <source>parent changed</source>
        <translation>이전 단계가 바뀜</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>This step ran because: %1</source>
        <translation>이 단계를 실행한 이유: %1</translation>
    </message>
    <message>
        <source>Nothing this step depends on changed: its result came from the build cache</source>
        <translation>이 단계가 의존하는 것이 바뀌지 않아 결과를 빌드 캐시에서 가져왔습니다</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>단계</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>줄</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>명령</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>캐시</translation>
    </message>
    <message>
        <source>Why it ran</source>
        <translation>실행한 이유</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ComparisonModel</name>
    <message>
        <source>only in the other image</source>
        <translation>다른 이미지에만 있음</translation>
    </message>
    <message>
        <source>only in this image</source>
        <translation>이 이미지에만 있음</translation>
    </message>
    <message>
        <source>differs: %1</source>
        <translation>다름: %1</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>경로</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>차이</translation>
    </message>
    <message>
        <source>Size here</source>
        <translation>이 이미지의 크기</translation>
    </message>
    <message>
        <source>Size there</source>
        <translation>다른 이미지의 크기</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainerChangesModel</name>
    <message>
        <source>Path</source>
        <translation>경로</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>변경</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainerDetailsDialog</name>
    <message>
        <source>Container %1</source>
        <translation>컨테이너 %1</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>로그</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>상세 정보</translation>
    </message>
    <message>
        <source>The container could not be read.</source>
        <translation>컨테이너를 읽을 수 없습니다.</translation>
    </message>
    <message>
        <source>Stats</source>
        <translation>통계</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>터미널</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>파일</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>상태 검사</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainerFilesView</name>
    <message>
        <source>Refresh</source>
        <translation>새로 고침</translation>
    </message>
    <message>
        <source>Read the container&apos;s changes again</source>
        <translation>컨테이너의 변경 사항을 다시 읽습니다</translation>
    </message>
    <message>
        <source>Reading the container&apos;s changes…</source>
        <translation>컨테이너의 변경 사항을 읽는 중…</translation>
    </message>
    <message>
        <source>The container&apos;s changes could not be read.</source>
        <translation>컨테이너의 변경 사항을 읽을 수 없습니다.</translation>
    </message>
    <message>
        <source>The container has not changed any files of its image.</source>
        <translation>이 컨테이너는 이미지의 파일을 하나도 바꾸지 않았습니다.</translation>
    </message>
    <message>
        <source>Its read-write layer: %1 added, %2 modified, %3 deleted (%4 in files). These are lost when the container is removed.</source>
        <translation>읽기-쓰기 레이어: 추가 %1개, 수정 %2개, 삭제 %3개 (파일 %4). 컨테이너를 제거하면 사라집니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainerHealthView</name>
    <message>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1밀리초</translation>
    </message>
    <message>
        <source>Probe: %1
Every %2 (%3 while starting), timeout %4, unhealthy after %5 failures in a row, start period %6</source>
        <translation>검사: %1
%2마다 (시작 중에는 %3마다), 제한 시간 %4, 연속 %5번 실패하면 비정상, 시작 유예 기간 %6</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Took</source>
        <translation>걸린 시간</translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation>종료 코드</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>출력</translation>
    </message>
    <message>
        <source>The container could not be read.</source>
        <translation>컨테이너를 읽을 수 없습니다.</translation>
    </message>
    <message>
        <source>not checked (the container does not run)</source>
        <translation>검사하지 않음 (컨테이너가 실행 중이 아님)</translation>
    </message>
    <message>
        <source>failed %1 times in a row</source>
        <translation>연속 %1번 실패</translation>
    </message>
    <message>
        <source>Probe: %1
Every %2, timeout %3, unhealthy after %4 failures in a row</source>
        <translation>검사: %1
%2마다, 제한 시간 %3, 연속 %4번 실패하면 비정상</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainerTerminal</name>
    <message>
        <source>Reconnect</source>
        <translation>다시 연결</translation>
    </message>
    <message>
        <source>A shell in the container opens when this tab is shown.</source>
        <translation>이 탭을 열면 컨테이너 안의 셸이 열립니다.</translation>
    </message>
    <message>
        <source>Open a shell</source>
        <translation>셸 열기</translation>
    </message>
    <message>
        <source>Starting a shell in the container...</source>
        <translation>컨테이너에서 셸을 시작하는 중...</translation>
    </message>
    <message>
        <source>The shell could not be started.</source>
        <translation>셸을 시작할 수 없습니다.</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>다시 시도</translation>
    </message>
    <message>
        <source>The container is not running. Start it, then open a shell.</source>
        <translation>컨테이너가 실행 중이 아닙니다. 컨테이너를 시작한 다음 셸을 여세요.</translation>
    </message>
    <message>
        <source>Session ended: the shell exited or the container stopped.</source>
        <translation>세션이 끝났습니다. 셸이 종료되었거나 컨테이너가 멈췄습니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainerTexts</name>
    <message>
        <source>1 second</source>
        <translation>1초</translation>
    </message>
    <message>
        <source>%1 seconds</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>1 minute</source>
        <translation>1분</translation>
    </message>
    <message>
        <source>%1 minutes</source>
        <translation>%1분</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1시간</translation>
    </message>
    <message>
        <source>%1 hours</source>
        <translation>%1시간</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1일</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>생성됨</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>실행 중</translation>
    </message>
    <message>
        <source>Exited</source>
        <translation>종료됨</translation>
    </message>
    <message>
        <source>Created %1 ago</source>
        <translation>%1 전에 생성됨</translation>
    </message>
    <message>
        <source>Up %1</source>
        <translation>%1째 실행 중</translation>
    </message>
    <message>
        <source>Exited (%1) %2 ago</source>
        <translation>%2 전에 종료됨 (%1)</translation>
    </message>
    <message>
        <source>Restarting (%1) %2 ago</source>
        <translation>재시작 대기 중 (%1, %2 전에 종료됨)</translation>
    </message>
    <message>
        <source>Restarting</source>
        <translation>재시작 대기 중</translation>
    </message>
    <message>
        <source>health: starting</source>
        <translation>상태: 시작 중</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>정상</translation>
    </message>
    <message>
        <source>unhealthy</source>
        <translation>비정상</translation>
    </message>
    <message>
        <source>Health check: %1</source>
        <translation>상태 검사: %1</translation>
    </message>
    <message>
        <source>Failed %1 times in a row</source>
        <translation>연속 %1번 실패</translation>
    </message>
    <message>
        <source>Last probe exited %1</source>
        <translation>마지막 검사의 종료 코드 %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainersModel</name>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>현황</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>명령</translation>
    </message>
    <message>
        <source>Address %1 on the %2 network</source>
        <translation>%2 네트워크의 주소 %1</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>포트</translation>
    </message>
    <message>
        <source>No samples yet</source>
        <translation>아직 측정값이 없습니다</translation>
    </message>
    <message>
        <source>Not running</source>
        <translation>실행 중이 아님</translation>
    </message>
    <message>
        <source>CPU over the last minute (100% is one core)</source>
        <translation>최근 1분간의 CPU (100%는 코어 하나)</translation>
    </message>
    <message>
        <source>Memory over the last minute; %1 of its limit</source>
        <translation>최근 1분간의 메모리, 한도의 %1</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>메모리</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ContainersPage</name>
    <message>
        <source>&lt;h2&gt;Containers&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;컨테이너&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Run…</source>
        <translation>실행…</translation>
    </message>
    <message>
        <source>Create and start a container from an image</source>
        <translation>이미지로 컨테이너를 만들어 시작합니다</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Start the container again, with the files it wrote</source>
        <translation>컨테이너가 쓴 파일을 그대로 두고 다시 시작합니다</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <source>Ask the container&apos;s program to end; force it after 10 seconds</source>
        <translation>컨테이너의 프로그램에 종료를 요청하고, 10초 뒤에는 강제로 끝냅니다</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>재시작</translation>
    </message>
    <message>
        <source>Stop the container, then start it again</source>
        <translation>컨테이너를 중지한 뒤 다시 시작합니다</translation>
    </message>
    <message>
        <source>Kill</source>
        <translation>강제 종료</translation>
    </message>
    <message>
        <source>End the container&apos;s program at once (SIGKILL)</source>
        <translation>컨테이너의 프로그램을 즉시 끝냅니다 (SIGKILL)</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Delete the container and the files it wrote</source>
        <translation>컨테이너와 컨테이너가 쓴 파일을 삭제합니다</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>로그</translation>
    </message>
    <message>
        <source>Open the container&apos;s logs and details (double-click)</source>
        <translation>컨테이너의 로그와 상세 정보를 엽니다 (더블클릭)</translation>
    </message>
    <message>
        <source>Filter by name, image or command</source>
        <translation>이름, 이미지 또는 명령으로 거르기</translation>
    </message>
    <message>
        <source>No containers yet. A container is a running copy of an image: choose Run… to start one.</source>
        <translation>아직 컨테이너가 없습니다. 컨테이너는 이미지를 실행한 사본입니다. 실행…을 눌러 하나 시작해 보세요.</translation>
    </message>
    <message>
        <source>Started the container %1</source>
        <translation>컨테이너 %1을(를) 시작했습니다</translation>
    </message>
    <message>
        <source>The container could not be opened.</source>
        <translation>컨테이너를 열 수 없습니다.</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>%1 시작 중…</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>%1을(를) 시작했습니다</translation>
    </message>
    <message>
        <source>The container %1 could not be started.</source>
        <translation>컨테이너 %1을(를) 시작할 수 없습니다.</translation>
    </message>
    <message>
        <source>Stopping %1…</source>
        <translation>%1 중지 중…</translation>
    </message>
    <message>
        <source>Stopped %1</source>
        <translation>%1을(를) 중지했습니다</translation>
    </message>
    <message>
        <source>The container %1 could not be stopped.</source>
        <translation>컨테이너 %1을(를) 중지할 수 없습니다.</translation>
    </message>
    <message>
        <source>Restarting %1…</source>
        <translation>%1 재시작 중…</translation>
    </message>
    <message>
        <source>Restarted %1</source>
        <translation>%1을(를) 재시작했습니다</translation>
    </message>
    <message>
        <source>The container %1 could not be restarted.</source>
        <translation>컨테이너 %1을(를) 재시작할 수 없습니다.</translation>
    </message>
    <message>
        <source>Killing %1…</source>
        <translation>%1 강제 종료 중…</translation>
    </message>
    <message>
        <source>Killed %1</source>
        <translation>%1을(를) 강제 종료했습니다</translation>
    </message>
    <message>
        <source>The container %1 could not be killed.</source>
        <translation>컨테이너 %1을(를) 강제 종료할 수 없습니다.</translation>
    </message>
    <message>
        <source>The container could not be removed.</source>
        <translation>컨테이너를 삭제할 수 없습니다.</translation>
    </message>
    <message>
        <source>Remove the container %1?

The %2 it wrote (its read-write layer) will be lost. Data in volumes stays, and so does the image %3.</source>
        <translation>컨테이너 %1을(를) 삭제할까요?

컨테이너가 쓴 %2(읽기-쓰기 레이어)는 사라집니다. 볼륨의 데이터와 이미지 %3은(는) 남습니다.</translation>
    </message>
    <message>
        <source>Remove the container %1?

It has not written any files, so nothing is lost. The image %2 stays.</source>
        <translation>컨테이너 %1을(를) 삭제할까요?

컨테이너가 쓴 파일이 없으므로 잃는 것은 없습니다. 이미지 %2은(는) 남습니다.</translation>
    </message>
    <message>
        <source>It is running and will be stopped first.</source>
        <translation>실행 중이므로 먼저 중지합니다.</translation>
    </message>
    <message>
        <source>Remove container</source>
        <translation>컨테이너 삭제</translation>
    </message>
    <message>
        <source>The container %1 could not be removed.</source>
        <translation>컨테이너 %1을(를) 삭제할 수 없습니다.</translation>
    </message>
    <message>
        <source>Removed the container %1</source>
        <translation>컨테이너 %1을(를) 삭제했습니다</translation>
    </message>
    <message>
        <source>Commit to image first…</source>
        <translation>먼저 이미지로 커밋…</translation>
    </message>
    <message>
        <source>Save the files it wrote as a new image, then remove it</source>
        <translation>컨테이너가 쓴 파일을 새 이미지로 저장한 뒤 제거합니다</translation>
    </message>
    <message>
        <source>Commit to image</source>
        <translation>이미지로 커밋</translation>
    </message>
    <message>
        <source>Name of the new image (repository:tag):</source>
        <translation>새 이미지의 이름 (저장소:태그):</translation>
    </message>
    <message>
        <source>Committing %1 to %2…</source>
        <translation>%1을(를) %2(으)로 커밋하는 중…</translation>
    </message>
    <message>
        <source>The container %1 could not be committed and removed.</source>
        <translation>컨테이너 %1을(를) 커밋하고 제거할 수 없습니다.</translation>
    </message>
    <message>
        <source>Saved the files of %1 as the image %2 and removed the container</source>
        <translation>%1의 파일을 이미지 %2(으)로 저장하고 컨테이너를 제거했습니다</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>브라우저에서 열기</translation>
    </message>
    <message>
        <source>Open the container&apos;s published port in the web browser</source>
        <translation>컨테이너의 공개된 포트를 웹 브라우저에서 엽니다</translation>
    </message>
    <message>
        <source>No web browser could open %1.</source>
        <translation>%1을(를) 열 수 있는 웹 브라우저가 없습니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::DiskUsageModel</name>
    <message>
        <source>Removing this image frees %1</source>
        <translation>이 이미지를 삭제하면 %1이(가) 확보됩니다</translation>
    </message>
    <message>
        <source>%1 in layers other images use too</source>
        <translation>다른 이미지도 쓰는 레이어에 있는 %1</translation>
    </message>
    <message>
        <source>&lt;untagged&gt;</source>
        <translation>&lt;태그 없음&gt;</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>Image ID</source>
        <translation>이미지 ID</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Shared</source>
        <translation>공유</translation>
    </message>
    <message>
        <source>Unique</source>
        <translation>고유</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::DiskUsagePage</name>
    <message>
        <source>&lt;h2&gt;Disk usage&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;디스크 사용량&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Untagged images</source>
        <translation>태그 없는 이미지</translation>
    </message>
    <message>
        <source>All images no container uses</source>
        <translation>컨테이너가 쓰지 않는 모든 이미지</translation>
    </message>
    <message>
        <source>Prune…</source>
        <translation>정리…</translation>
    </message>
    <message>
        <source>Shows what would be deleted and asks before deleting anything</source>
        <translation>무엇이 삭제될지 먼저 보여 주고, 삭제하기 전에 묻습니다</translation>
    </message>
    <message>
        <source>Remove:</source>
        <translation>삭제 대상:</translation>
    </message>
    <message>
        <source>Disk usage could not be measured.</source>
        <translation>디스크 사용량을 측정하지 못했습니다.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Images use %1&lt;/b&gt; on disk, each shared layer counted once (images: %2). The compressed layers kept for saving and pushing take %3.</source>
        <translation>&lt;b&gt;이미지가 디스크에서 %1을(를) 사용합니다&lt;/b&gt;. 공유 레이어는 한 번만 셉니다(이미지: %2개). 저장과 푸시에 쓰려고 보관하는 압축 레이어는 %3입니다.</translation>
    </message>
    <message>
        <source>Untagged images alone use %1. Leftovers no image refers to: %2.</source>
        <translation>태그 없는 이미지만 %1을(를) 사용합니다. 어떤 이미지도 참조하지 않는 남은 데이터: %2.</translation>
    </message>
    <message>
        <source>&lt;i&gt;Shared&lt;/i&gt; bytes are in layers other images use too; &lt;i&gt;Unique&lt;/i&gt; bytes are what removing that image frees.</source>
        <translation>&lt;i&gt;공유&lt;/i&gt;는 다른 이미지도 쓰는 레이어의 크기이고, &lt;i&gt;고유&lt;/i&gt;는 그 이미지를 삭제하면 확보되는 크기입니다.</translation>
    </message>
    <message>
        <source>Berth could not work out what to prune.</source>
        <translation>Berth가 무엇을 정리할지 알아내지 못했습니다.</translation>
    </message>
    <message>
        <source>Nothing to prune: no image matches.</source>
        <translation>정리할 것이 없습니다. 해당하는 이미지가 없습니다.</translation>
    </message>
    <message>
        <source>Prune</source>
        <translation>정리</translation>
    </message>
    <message>
        <source>Prune frees %1.

Images to delete: %2. Layers to delete: %3.</source>
        <translation>정리하면 %1이(가) 확보됩니다.

삭제할 이미지: %2개. 삭제할 레이어: %3개.</translation>
    </message>
    <message>
        <source>Prune images</source>
        <translation>이미지 정리</translation>
    </message>
    <message>
        <source>image %1</source>
        <translation>이미지 %1</translation>
    </message>
    <message>
        <source>name %1</source>
        <translation>이름 %1</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>레이어 %1</translation>
    </message>
    <message>
        <source>Only untagged images are affected.</source>
        <translation>태그 없는 이미지만 영향을 받습니다.</translation>
    </message>
    <message>
        <source>Names that go: %1</source>
        <translation>삭제되는 이름: %1</translation>
    </message>
    <message>
        <source>Pruning failed.</source>
        <translation>정리하지 못했습니다.</translation>
    </message>
    <message>
        <source>Prune freed %1 (images removed: %2)</source>
        <translation>정리로 %1을(를) 확보했습니다(삭제한 이미지: %2개)</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ErrorMessages</name>
    <message>
        <source>Something it needs does not exist (any more). It may have been removed in the meantime, for example from the command line.</source>
        <translation>필요한 것이 (더 이상) 없습니다. 그 사이에 명령줄 등에서 삭제되었을 수 있습니다.</translation>
    </message>
    <message>
        <source>Something with that name already exists. Choose another name.</source>
        <translation>같은 이름이 이미 있습니다. 다른 이름을 고르세요.</translation>
    </message>
    <message>
        <source>Berth did not understand the input. Check the name or file and try again.</source>
        <translation>Berth가 입력을 이해하지 못했습니다. 이름이나 파일을 확인하고 다시 시도하세요.</translation>
    </message>
    <message>
        <source>This is not possible right now because something else depends on it, for example another name or a container using the image.</source>
        <translation>다른 것이 이것에 의존하고 있어 지금은 할 수 없습니다. 예를 들어 다른 이름이나 이 이미지를 쓰는 컨테이너가 있습니다.</translation>
    </message>
    <message>
        <source>Berth is not allowed to do this. Check the file&apos;s permissions or run Berth as a user who may.</source>
        <translation>Berth에 이 작업을 할 권한이 없습니다. 파일 권한을 확인하거나, 권한이 있는 사용자로 Berth를 실행하세요.</translation>
    </message>
    <message>
        <source>Something Berth needs is busy or missing (a program, a file or the network). Try again in a moment.</source>
        <translation>Berth에 필요한 것(프로그램, 파일 또는 네트워크)이 사용 중이거나 없습니다. 잠시 후 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The data is damaged or not in a format Berth knows. If it came from a file, the file may be incomplete.</source>
        <translation>데이터가 손상되었거나 Berth가 모르는 형식입니다. 파일에서 읽은 것이라면 파일이 완전하지 않을 수 있습니다.</translation>
    </message>
    <message>
        <source>It was cancelled before it finished. Nothing was changed.</source>
        <translation>끝나기 전에 취소되었습니다. 바뀐 것은 없습니다.</translation>
    </message>
    <message>
        <source>This is a bug in Berth. The details below help to report it.</source>
        <translation>Berth의 버그입니다. 아래 자세한 내용을 버그 보고에 첨부해 주세요.</translation>
    </message>
    <message>
        <source>Berth</source>
        <translation>Berth</translation>
    </message>
    <message>
        <source>The registry&apos;s identity could not be checked, or it wants a certificate from you. The details say which file to put where.</source>
        <translation>레지스트리의 신원을 확인할 수 없거나, 레지스트리가 인증서를 요구합니다. 어떤 파일을 어디에 두어야 하는지는 자세히에 나와 있습니다.</translation>
    </message>
    <message>
        <source>The registry refused access. Log in to it on the Registries page, or check the name: registries answer private repositories like missing ones.</source>
        <translation>레지스트리가 접근을 거부했습니다. 레지스트리 페이지에서 로그인하거나 이름을 확인하세요. 레지스트리는 비공개 저장소를 없는 저장소처럼 응답합니다.</translation>
    </message>
    <message>
        <source>The registry has no image by that name or tag. Check both.</source>
        <translation>레지스트리에 그 이름이나 태그의 이미지가 없습니다. 둘 다 확인하세요.</translation>
    </message>
    <message>
        <source>The registry could not be reached or did not answer. Check its address and the network, then try again.</source>
        <translation>레지스트리에 연결할 수 없거나 응답이 없습니다. 주소와 네트워크를 확인하고 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The registry sent data that does not match its checksum; none of it was kept. Try again later.</source>
        <translation>레지스트리가 체크섬과 맞지 않는 데이터를 보냈습니다. 아무것도 보관하지 않았습니다. 나중에 다시 시도하세요.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>자세히</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>자세히…</translation>
    </message>
    <message>
        <source>No system keychain is running, so the password cannot be kept safely. Start GNOME Keyring or KWallet and try again, or keep it in a file only you can read (the box under the password).</source>
        <translation>시스템 키체인이 실행 중이 아니어서 비밀번호를 안전하게 보관할 수 없습니다. GNOME Keyring이나 KWallet을 시작하고 다시 시도하거나, 본인만 읽을 수 있는 파일에 보관하세요 (비밀번호 아래의 상자).</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::FileTreeModel</name>
    <message>
        <source>%1
Deleted by layer %2 (%3 no longer reachable)</source>
        <translation>%1
레이어 %2에서 삭제됨(%3은(는) 더 이상 접근할 수 없음)</translation>
    </message>
    <message>
        <source>%1
%2 by layer %3</source>
        <translation>%1
레이어 %3에서 %2</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>변경</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Permissions</source>
        <translation>권한</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>소유자</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::GuideWindow</name>
    <message>
        <source>Berth user guide</source>
        <translation>Berth 사용 안내</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>뒤로</translation>
    </message>
    <message>
        <source>The page shown before (Alt+Left)</source>
        <translation>앞서 본 페이지 (Alt+왼쪽)</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>앞으로</translation>
    </message>
    <message>
        <source>Contents</source>
        <translation>목차</translation>
    </message>
    <message>
        <source>en</source>
        <comment>guide language</comment>
        <extracomment>The folder of the user guide in this language (docs/&lt;folder&gt;): &quot;ko&quot; in Korean.</extracomment>
        <translation>ko</translation>
    </message>
</context>
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
    <message>
        <source>1 container</source>
        <translation>컨테이너 1개</translation>
    </message>
    <message>
        <source>%1 containers</source>
        <translation>컨테이너 %1개</translation>
    </message>
    <message>
        <source>In use by</source>
        <translation>사용 중</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::ImagesPage</name>
    <message>
        <source>&lt;h2&gt;Images&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;이미지&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Load…</source>
        <translation>불러오기…</translation>
    </message>
    <message>
        <source>Load images from an archive written by docker save, podman save or skopeo (docker-archive or OCI)</source>
        <translation>docker save, podman save, skopeo로 만든 아카이브(docker-archive 또는 OCI)에서 이미지를 불러옵니다</translation>
    </message>
    <message>
        <source>Import rootfs…</source>
        <translation>rootfs 가져오기…</translation>
    </message>
    <message>
        <source>Make a one-layer image from a root filesystem tarball</source>
        <translation>루트 파일 시스템 tar 파일로 레이어 하나짜리 이미지를 만듭니다</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>저장…</translation>
    </message>
    <message>
        <source>Tag…</source>
        <translation>태그…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Explore layers</source>
        <translation>레이어 살펴보기</translation>
    </message>
    <message>
        <source>Open the selected image in the layer explorer (double-click)</source>
        <translation>선택한 이미지를 레이어 탐색기에서 엽니다(더블 클릭)</translation>
    </message>
    <message>
        <source>Filter by name, tag or ID</source>
        <translation>이름, 태그 또는 ID로 거르기</translation>
    </message>
    <message>
        <source>The image could not be removed.</source>
        <translation>이미지를 삭제하지 못했습니다.</translation>
    </message>
    <message>
        <source>Remove the name %1?

The image keeps its other names (%2), so no disk space is freed.</source>
        <translation>이름 %1을(를) 삭제할까요?

이미지에는 다른 이름(%2)이 남아 있으므로 디스크 공간은 확보되지 않습니다.</translation>
    </message>
    <message>
        <source>Remove the image %1?

This frees %2: the image&apos;s layers that no other image uses (%3).</source>
        <translation>이미지 %1을(를) 삭제할까요?

다른 이미지가 쓰지 않는 이 이미지의 레이어(%3개)가 삭제되어 %2이(가) 확보됩니다.</translation>
    </message>
    <message>
        <source>Remove the image %1?

All its layers are shared with other images and stay, so almost no disk space is freed.</source>
        <translation>이미지 %1을(를) 삭제할까요?

모든 레이어를 다른 이미지와 공유하므로 레이어는 남고, 디스크 공간은 거의 확보되지 않습니다.</translation>
    </message>
    <message>
        <source>Remove image</source>
        <translation>이미지 삭제</translation>
    </message>
    <message>
        <source>%1 could not be removed.</source>
        <translation>%1을(를) 삭제하지 못했습니다.</translation>
    </message>
    <message>
        <source>Removed the name %1</source>
        <translation>이름 %1을(를) 삭제했습니다</translation>
    </message>
    <message>
        <source>Removed %1 and freed %2</source>
        <translation>%1을(를) 삭제하고 %2을(를) 확보했습니다</translation>
    </message>
    <message>
        <source>Tag image</source>
        <translation>이미지에 태그 달기</translation>
    </message>
    <message>
        <source>New name for image %1 (for example myapp:1.0):</source>
        <translation>이미지 %1의 새 이름(예: myapp:1.0):</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid image name.</source>
        <translation>&quot;%1&quot;은(는) 올바른 이미지 이름이 아닙니다.</translation>
    </message>
    <message>
        <source>The image could not be tagged.</source>
        <translation>이미지에 태그를 달지 못했습니다.</translation>
    </message>
    <message>
        <source>Tagged as %1</source>
        <translation>%1(으)로 태그를 달았습니다</translation>
    </message>
    <message>
        <source>Load images from an archive</source>
        <translation>아카이브에서 이미지 불러오기</translation>
    </message>
    <message>
        <source>Image archives (*.tar *.tar.gz *.tgz *.tar.zst)</source>
        <translation>이미지 아카이브 (*.tar *.tar.gz *.tgz *.tar.zst)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>모든 파일 (*)</translation>
    </message>
    <message>
        <source>Loading %1</source>
        <translation>%1 불러오는 중</translation>
    </message>
    <message>
        <source>The images in %1 could not be loaded.</source>
        <translation>%1의 이미지를 불러오지 못했습니다.</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1을(를) 불러왔습니다</translation>
    </message>
    <message>
        <source>Save image %1</source>
        <translation>이미지 %1 저장</translation>
    </message>
    <message>
        <source>Docker archive, for docker/podman load (*.tar)</source>
        <translation>Docker 아카이브, docker/podman load용 (*.tar)</translation>
    </message>
    <message>
        <source>OCI archive, for skopeo and umoci (*.tar)</source>
        <translation>OCI 아카이브, skopeo와 umoci용 (*.tar)</translation>
    </message>
    <message>
        <source>Saving %1</source>
        <translation>%1 저장 중</translation>
    </message>
    <message>
        <source>%1 could not be saved.</source>
        <translation>%1을(를) 저장하지 못했습니다.</translation>
    </message>
    <message>
        <source>Saved %1 to %2</source>
        <translation>%1을(를) %2에 저장했습니다</translation>
    </message>
    <message>
        <source>Import a root filesystem tarball</source>
        <translation>루트 파일 시스템 tar 파일 가져오기</translation>
    </message>
    <message>
        <source>Tarballs (*.tar *.tar.gz *.tgz *.tar.xz *.tar.zst *.tar.bz2)</source>
        <translation>tar 파일 (*.tar *.tar.gz *.tgz *.tar.xz *.tar.zst *.tar.bz2)</translation>
    </message>
    <message>
        <source>Import rootfs</source>
        <translation>rootfs 가져오기</translation>
    </message>
    <message>
        <source>Name for the new image (empty: untagged):</source>
        <translation>새 이미지의 이름(비워 두면 태그 없음):</translation>
    </message>
    <message>
        <source>Importing %1</source>
        <translation>%1 가져오는 중</translation>
    </message>
    <message>
        <source>%1 could not be imported.</source>
        <translation>%1을(를) 가져오지 못했습니다.</translation>
    </message>
    <message>
        <source>Imported %1 as image %2</source>
        <translation>%1을(를) 이미지 %2(으)로 가져왔습니다</translation>
    </message>
    <message>
        <source>Run a container from it</source>
        <translation>이 이미지로 컨테이너 실행</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>나중에</translation>
    </message>
    <message>
        <source>Run…</source>
        <translation>실행…</translation>
    </message>
    <message>
        <source>Create and start a container from the selected image</source>
        <translation>선택한 이미지로 컨테이너를 만들어 시작합니다</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 is ready.&lt;/b&gt; Next, start a container from it: a running copy of the image that prints a greeting, and you see its output right away.</source>
        <translation>&lt;b&gt;%1이(가) 준비되었습니다.&lt;/b&gt; 이제 이 이미지로 컨테이너를 시작해 보세요. 컨테이너는 인사말을 출력하는 이미지의 실행 사본이며, 출력을 바로 볼 수 있습니다.</translation>
    </message>
    <message>
        <source>Push…</source>
        <translation>푸시…</translation>
    </message>
    <message>
        <source>Upload the selected image to a registry; layers the registry has are not sent</source>
        <translation>선택한 이미지를 레지스트리에 올립니다. 레지스트리에 이미 있는 레이어는 보내지 않습니다</translation>
    </message>
    <message>
        <source>Push image</source>
        <translation>이미지 푸시</translation>
    </message>
    <message>
        <source>Push to (registry/repository:tag; without a registry it goes to Docker Hub):</source>
        <translation>푸시할 곳 (레지스트리/저장소:태그, 레지스트리가 없으면 Docker Hub로 갑니다):</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid place to push to.</source>
        <translation>&quot;%1&quot;은(는) 푸시할 수 있는 곳이 아닙니다.</translation>
    </message>
    <message>
        <source>%1 (running)</source>
        <translation>%1 (실행 중)</translation>
    </message>
    <message>
        <source>The image %1 is used by the container %2.

Remove the container (and the files it wrote) together with the image?</source>
        <translation>이미지 %1을(를) 컨테이너 %2이(가) 쓰고 있습니다.

컨테이너(와 컨테이너가 쓴 파일)를 이미지와 함께 제거할까요?</translation>
    </message>
    <message>
        <source>The image %1 is used by %2 containers: %3.

Remove the containers (and the files they wrote) together with the image?</source>
        <translation>이미지 %1을(를) 컨테이너 %2개가 쓰고 있습니다: %3.

컨테이너들(과 그들이 쓴 파일)을 이미지와 함께 제거할까요?</translation>
    </message>
    <message>
        <source>Remove containers and image</source>
        <translation>컨테이너와 이미지 제거</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::LayerExplorerPage</name>
    <message>
        <source>&amp;Image:</source>
        <translation>이미지(&amp;I):</translation>
    </message>
    <message>
        <source>Select a layer to see the filesystem as it is after it</source>
        <translation>레이어를 선택하면 그 레이어까지 적용된 파일 시스템을 보여 줍니다</translation>
    </message>
    <message>
        <source>Wasted space</source>
        <translation>낭비된 공간</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>비교</translation>
    </message>
    <message>
        <source>With:</source>
        <translation>비교 대상:</translation>
    </message>
    <message>
        <source>Choose another image to see which layers the two share and which files differ.</source>
        <translation>다른 이미지를 고르면 두 이미지가 어떤 레이어를 공유하고 어떤 파일이 다른지 보여 줍니다.</translation>
    </message>
    <message>
        <source>Everything up to this layer</source>
        <translation>이 레이어까지의 전체</translation>
    </message>
    <message>
        <source>Only this layer&apos;s changes</source>
        <translation>이 레이어의 변경만</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>변경 없음</translation>
    </message>
    <message>
        <source>Filter by path</source>
        <translation>경로로 거르기</translation>
    </message>
    <message>
        <source>Select a file to preview it.</source>
        <translation>파일을 선택하면 미리 봅니다.</translation>
    </message>
    <message>
        <source>Extract to…</source>
        <translation>꺼내기…</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>미리 보기</translation>
    </message>
    <message>
        <source>History of this path</source>
        <translation>이 경로의 기록</translation>
    </message>
    <message>
        <source>Matching paths at layer %1: %2</source>
        <translation>레이어 %1에서 일치하는 경로: %2개</translation>
    </message>
    <message>
        <source>Entries at layer %1: %2</source>
        <translation>레이어 %1의 항목: %2개</translation>
    </message>
    <message>
        <source>The image is no longer in the store.</source>
        <translation>이미지가 더 이상 저장소에 없습니다.</translation>
    </message>
    <message>
        <source>Analysing the image&apos;s layers…</source>
        <translation>이미지의 레이어를 분석하는 중…</translation>
    </message>
    <message>
        <source>The image could not be analysed.</source>
        <translation>이미지를 분석하지 못했습니다.</translation>
    </message>
    <message>
        <source>The image&apos;s layers could not be analysed.</source>
        <translation>이미지의 레이어를 분석하지 못했습니다.</translation>
    </message>
    <message>
        <source>Layers: %1 · Size: %2 · Files: %3 · Efficiency: %4% (dive: %5%)</source>
        <translation>레이어: %1 · 크기: %2 · 파일: %3 · 효율: %4% (dive: %5%)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Nothing wasted.&lt;/b&gt; Every byte the layers store is reachable in the final filesystem.</source>
        <translation>&lt;b&gt;낭비된 공간이 없습니다.&lt;/b&gt; 레이어에 저장된 모든 바이트를 최종 파일 시스템에서 접근할 수 있습니다.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 wasted&lt;/b&gt; (%2% of the image): copies that a layer stores but a later layer overwrote or deleted. Nobody can reach them, yet every pull downloads them.</source>
        <translation>&lt;b&gt;%1 낭비&lt;/b&gt;(이미지의 %2%): 어떤 레이어에 저장되었지만 뒤의 레이어가 덮어쓰거나 삭제한 사본입니다. 아무도 접근할 수 없는데도 풀할 때마다 내려받습니다.</translation>
    </message>
    <message>
        <source>layer %1 hides %2 stored by layer %3</source>
        <translation>레이어 %1이(가) 레이어 %3에 저장된 %2을(를) 가림</translation>
    </message>
    <message>
        <source>Efficiency %1%. dive&apos;s score: %2% (dive counts %3 as wasted: every repeated copy of a path, including the one still in use).</source>
        <translation>효율 %1%. dive 점수: %2% (dive는 %3을(를) 낭비로 셉니다. 아직 쓰이는 사본을 포함해 한 경로의 반복된 모든 사본을 셉니다).</translation>
    </message>
    <message>
        <source>%1 at layer %2</source>
        <translation>레이어 %2의 %1</translation>
    </message>
    <message>
        <source>(deleted here; showing the copy from layer %1)</source>
        <translation>(이 레이어에서 삭제됨, 레이어 %1의 사본을 보여 줌)</translation>
    </message>
    <message>
        <source>A directory. Entries directly inside: %1</source>
        <translation>디렉터리입니다. 바로 안에 있는 항목: %1개</translation>
    </message>
    <message>
        <source>A symbolic link to %1</source>
        <translation>%1을(를) 가리키는 심볼릭 링크</translation>
    </message>
    <message>
        <source>A special file (device, pipe or socket): nothing to show.</source>
        <translation>특수 파일(장치, 파이프 또는 소켓)이라 보여 줄 내용이 없습니다.</translation>
    </message>
    <message>
        <source>Nothing to show.</source>
        <translation>보여 줄 내용이 없습니다.</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>읽는 중…</translation>
    </message>
    <message>
        <source>The file could not be read: %1</source>
        <translation>파일을 읽지 못했습니다: %1</translation>
    </message>
    <message>
        <source>This is a binary file (%1), not text, so it is not shown here. Use &quot;Extract to…&quot; to open it with another program.</source>
        <translation>텍스트가 아닌 바이너리 파일(%1)이라 여기에는 보여 주지 않습니다. 다른 프로그램으로 열려면 &quot;꺼내기…&quot;를 쓰세요.</translation>
    </message>
    <message>
        <source>[… only the first %1 of %2 are shown]</source>
        <translation>[… %2 중 앞부분 %1만 보여 줌]</translation>
    </message>
    <message>
        <source>Extract %1 into folder</source>
        <translation>%1을(를) 폴더에 꺼내기</translation>
    </message>
    <message>
        <source>Extract %1</source>
        <translation>%1 꺼내기</translation>
    </message>
    <message>
        <source>The file could not be extracted.</source>
        <translation>파일을 꺼내지 못했습니다.</translation>
    </message>
    <message>
        <source>Extracted to %1</source>
        <translation>%1에 꺼냈습니다</translation>
    </message>
    <message>
        <source>Comparing…</source>
        <translation>비교하는 중…</translation>
    </message>
    <message>
        <source>The images could not be compared.</source>
        <translation>이미지를 비교하지 못했습니다.</translation>
    </message>
    <message>
        <source>%1 has exactly the same layers.</source>
        <translation>%1은(는) 레이어가 완전히 같습니다.</translation>
    </message>
    <message>
        <source>Layers shared with %1: %2. The images diverge at layer %3.</source>
        <translation>%1과(와) 공유하는 레이어: %2개. 두 이미지는 레이어 %3부터 갈라집니다.</translation>
    </message>
    <message>
        <source>Paths that differ: %1.</source>
        <translation>다른 경로: %1개.</translation>
    </message>
    <message>
        <source>With this image present, getting the other one downloads %1; the other way round, %2.</source>
        <translation>이 이미지가 있을 때 다른 이미지를 받으면 %1을(를) 내려받고, 반대의 경우에는 %2을(를) 내려받습니다.</translation>
    </message>
    <message>
        <source>Build</source>
        <translation>빌드</translation>
    </message>
    <message>
        <source>Reading how the image was built…</source>
        <translation>이미지를 어떻게 빌드했는지 읽는 중…</translation>
    </message>
    <message>
        <source>Berth did not build this image, so it does not know which Dockerfile lines made its layers. The commands above come from the image&apos;s own history.</source>
        <translation>Berth가 빌드한 이미지가 아니어서 어떤 Dockerfile 줄이 레이어를 만들었는지 알지 못합니다. 위의 명령은 이미지 자체의 기록에서 온 것입니다.</translation>
    </message>
    <message>
        <source>Layer %1 came with the base image (&lt;b&gt;%2&lt;/b&gt;, line %3).</source>
        <translation>레이어 %1은(는) 기반 이미지에서 왔습니다(&lt;b&gt;%2&lt;/b&gt;, %3번째 줄).</translation>
    </message>
    <message>
        <source>It came from the build cache: nothing it depends on had changed.</source>
        <translation>빌드 캐시에서 가져왔습니다. 의존하는 것이 바뀌지 않았습니다.</translation>
    </message>
    <message>
        <source>It ran because: %1.</source>
        <translation>실행한 이유: %1.</translation>
    </message>
    <message>
        <source>Layer %1 was made by Dockerfile line %2: &lt;b&gt;%3&lt;/b&gt;&lt;br&gt;%4</source>
        <translation>레이어 %1은(는) Dockerfile %2번째 줄이 만들었습니다: &lt;b&gt;%3&lt;/b&gt;&lt;br&gt;%4</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::LayerMapModel</name>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>Container</source>
        <translation>컨테이너</translation>
    </message>
    <message>
        <source>%1 images, %2 containers</source>
        <translation>이미지 %1개, 컨테이너 %2개</translation>
    </message>
    <message>
        <source>%1 containers</source>
        <translation>컨테이너 %1개</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>사용처</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::LayerMapPage</name>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Layer map&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;레이어 지도&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+wheel, −)</source>
        <translation>축소 (Ctrl+휠, −)</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl+wheel, +)</source>
        <translation>확대 (Ctrl+휠, +)</translation>
    </message>
    <message>
        <source>100%</source>
        <translation>100%</translation>
    </message>
    <message>
        <source>Actual size</source>
        <translation>실제 크기</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>맞춤</translation>
    </message>
    <message>
        <source>Show the whole map</source>
        <translation>지도 전체를 보여 줍니다</translation>
    </message>
    <message>
        <source>Layer map</source>
        <translation>레이어 지도</translation>
    </message>
    <message>
        <source>Images: %1 · layers: %2 (%3 on disk, each stored once) · shared by several images: %4 · containers: %5, adding %6 in their read-write layers</source>
        <translation>이미지: %1 · 레이어: %2 (디스크에 %3, 레이어마다 한 번씩 저장) · 여러 이미지가 함께 쓰는 레이어: %4 · 컨테이너: %5, 읽기-쓰기 레이어에 %6 추가</translation>
    </message>
    <message>
        <source>&lt;p&gt;Each box is a layer, an image or a container. Lines connect each one to what it stands on: a layer to the layer below it, an image to its top layer, a container to its image.&lt;/p&gt;&lt;p&gt;A layer several images share is stored once and drawn once. A container only adds its own read-write layer (dashed): the files it wrote.&lt;/p&gt;&lt;p&gt;Select a box to see what it is; double-click an image to open it in the layer explorer, or a container to see its logs and files.&lt;/p&gt;</source>
        <translation>&lt;p&gt;상자 하나하나가 레이어, 이미지 또는 컨테이너입니다. 선은 각 상자를 그 아래에 있는 것과 잇습니다: 레이어는 바로 아래 레이어와, 이미지는 맨 위 레이어와, 컨테이너는 그 이미지와 이어집니다.&lt;/p&gt;&lt;p&gt;여러 이미지가 함께 쓰는 레이어는 한 번만 저장되고 한 번만 그려집니다. 컨테이너는 자기만의 읽기-쓰기 레이어(점선), 곧 자신이 쓴 파일만 더합니다.&lt;/p&gt;&lt;p&gt;상자를 선택하면 무엇인지 보여 줍니다. 이미지를 두 번 클릭하면 레이어 탐색기에서 열리고, 컨테이너를 두 번 클릭하면 로그와 파일을 볼 수 있습니다.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Created by</source>
        <translation>만든 명령</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Digest</source>
        <translation>다이제스트</translation>
    </message>
    <message>
        <source>Chain ID</source>
        <translation>체인 ID</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>Containers</source>
        <translation>컨테이너</translation>
    </message>
    <message>
        <source>Shared by %1 images: stored once, its %2 counted once.</source>
        <translation>이미지 %1개가 함께 씁니다: 한 번만 저장되고, %2도 한 번만 셉니다.</translation>
    </message>
    <message>
        <source>Image ID</source>
        <translation>이미지 ID</translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation>매니페스트</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>태그</translation>
    </message>
    <message>
        <source>Double-click to open it in the layer explorer.</source>
        <translation>두 번 클릭하면 레이어 탐색기에서 엽니다.</translation>
    </message>
    <message>
        <source>Container ID</source>
        <translation>컨테이너 ID</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>실행 중</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>멈춤</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>명령</translation>
    </message>
    <message>
        <source>Read-write layer</source>
        <translation>읽기-쓰기 레이어</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>What it wrote is lost when it is removed, unless it is committed to an image first. Double-click to see its logs and files.</source>
        <translation>제거하면 컨테이너가 쓴 내용이 사라집니다. 먼저 이미지로 커밋하면 남길 수 있습니다. 두 번 클릭하면 로그와 파일을 봅니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::LayerMapView</name>
    <message>
        <source>Layer %1</source>
        <translation>레이어 %1</translation>
    </message>
    <message>
        <source>%1 · shared by %2 images</source>
        <translation>%1 · 이미지 %2개가 공유</translation>
    </message>
    <message>
        <source>Image %1 · %2</source>
        <translation>이미지 %1 · %2</translation>
    </message>
    <message>
        <source>Running · %1 written</source>
        <translation>실행 중 · %1 씀</translation>
    </message>
    <message>
        <source>Stopped · %1 written</source>
        <translation>멈춤 · %1 씀</translation>
    </message>
    <message>
        <source>Layers, from the base up</source>
        <translation>레이어 (아래 레이어부터)</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>Containers (read-write layers)</source>
        <translation>컨테이너 (읽기-쓰기 레이어)</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::LayersModel</name>
    <message>
        <source>No history recorded for this layer</source>
        <translation>이 레이어에는 기록된 내역이 없습니다</translation>
    </message>
    <message>
        <source>%1 stored here that the final image cannot reach; this layer hides %2 of earlier layers</source>
        <translation>이 레이어에 저장되었지만 최종 이미지에서 접근할 수 없는 크기: %1. 이 레이어가 가리는 이전 레이어의 크기: %2</translation>
    </message>
    <message>
        <source>Added: %1, modified: %2, deleted: %3</source>
        <translation>추가: %1, 수정: %2, 삭제: %3</translation>
    </message>
    <message>
        <source>(no history)</source>
        <translation>(기록 없음)</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Created by</source>
        <translation>만든 명령</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Wasted</source>
        <translation>낭비</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>변경</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::LogView</name>
    <message>
        <source>Search the log</source>
        <translation>로그 검색</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>정규 표현식</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>이전</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>다음</translation>
    </message>
    <message>
        <source>stdout and stderr</source>
        <translation>stdout과 stderr</translation>
    </message>
    <message>
        <source>stdout only</source>
        <translation>stdout만</translation>
    </message>
    <message>
        <source>stderr only</source>
        <translation>stderr만</translation>
    </message>
    <message>
        <source>Timestamps</source>
        <translation>타임스탬프</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>따라가기</translation>
    </message>
    <message>
        <source>Keep the newest line in view</source>
        <translation>가장 새 줄을 계속 보여 줍니다</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>내보내기…</translation>
    </message>
    <message>
        <source>Save the lines shown to a text file</source>
        <translation>보이는 줄을 텍스트 파일로 저장합니다</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>로그</translation>
    </message>
    <message>
        <source>Not a valid regular expression</source>
        <translation>올바른 정규 표현식이 아닙니다</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>일치 항목 없음</translation>
    </message>
    <message>
        <source>1 match</source>
        <translation>일치 1개</translation>
    </message>
    <message>
        <source>%1 matches</source>
        <translation>일치 %1개</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%2개 중 %1</translation>
    </message>
    <message>
        <source>Export log</source>
        <translation>로그 내보내기</translation>
    </message>
    <message>
        <source>Text files (*.txt *.log)</source>
        <translation>텍스트 파일 (*.txt *.log)</translation>
    </message>
    <message>
        <source>The log could not be exported.</source>
        <translation>로그를 내보낼 수 없습니다.</translation>
    </message>
    <message>
        <source>Exported the log to %1</source>
        <translation>로그를 %1(으)로 내보냈습니다</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::MainWindow</name>
    <message>
        <source>Berth</source>
        <translation>Berth</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>페이지</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>The images in the store (Ctrl+1)</source>
        <translation>저장소의 이미지 (Ctrl+1)</translation>
    </message>
    <message>
        <source>Layer explorer</source>
        <translation>레이어 탐색기</translation>
    </message>
    <message>
        <source>Disk usage</source>
        <translation>디스크 사용량</translation>
    </message>
    <message>
        <source>Images: %1</source>
        <translation>이미지: %1개</translation>
    </message>
    <message>
        <source>The starter image could not be created.</source>
        <translation>시작용 이미지를 만들지 못했습니다.</translation>
    </message>
    <message>
        <source>Created the starter image berth/busybox:latest</source>
        <translation>시작용 이미지 berth/busybox:latest를 만들었습니다</translation>
    </message>
    <message>
        <source>Containers</source>
        <translation>컨테이너</translation>
    </message>
    <message>
        <source>Running and stopped containers, their logs (Ctrl+2)</source>
        <translation>실행 중이거나 중지된 컨테이너와 로그 (Ctrl+2)</translation>
    </message>
    <message>
        <source>What each layer of an image added, changed and wasted (Ctrl+3)</source>
        <translation>이미지의 각 레이어가 추가하고, 바꾸고, 낭비한 것 (Ctrl+3)</translation>
    </message>
    <message>
        <source>Shared and unique bytes per image, and prune (Ctrl+4)</source>
        <translation>이미지별 공유·고유 크기와 정리 (Ctrl+4)</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>설정…</translation>
    </message>
    <message>
        <source>Language and the Docker Engine API (Ctrl+,)</source>
        <translation>언어와 Docker Engine API (Ctrl+,)</translation>
    </message>
    <message>
        <source>Docker Engine API on unix://%1</source>
        <translation>Docker Engine API: unix://%1</translation>
    </message>
    <message>
        <source>Build</source>
        <translation>빌드</translation>
    </message>
    <message>
        <source>Build an image from a Dockerfile in a folder or a git repository (Ctrl+5)</source>
        <translation>폴더나 git 저장소의 Dockerfile로 이미지를 빌드합니다 (Ctrl+5)</translation>
    </message>
    <message>
        <source>Registries</source>
        <translation>레지스트리</translation>
    </message>
    <message>
        <source>Log in to registries and list the tags of a repository (Ctrl+6)</source>
        <translation>레지스트리에 로그인하고 저장소의 태그를 봅니다 (Ctrl+6)</translation>
    </message>
    <message>
        <source>Volumes</source>
        <translation>볼륨</translation>
    </message>
    <message>
        <source>Folders kept outside containers: which containers use them, create, remove, prune (Ctrl+7)</source>
        <translation>컨테이너 밖에 보관하는 폴더: 어떤 컨테이너가 쓰는지, 만들기, 삭제, 정리 (Ctrl+7)</translation>
    </message>
    <message>
        <source>Layer map</source>
        <translation>레이어 지도</translation>
    </message>
    <message>
        <source>Every image as a tree of shared layers, with its containers (Ctrl+8)</source>
        <translation>모든 이미지를 공유 레이어의 나무로, 컨테이너와 함께 보여 줍니다 (Ctrl+8)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>사용 안내</translation>
    </message>
    <message>
        <source>Getting started, containers, the layer explorer, registries and Docker clients (F1)</source>
        <translation>시작하기, 컨테이너, 레이어 탐색기, 레지스트리, Docker 클라이언트 (F1)</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::PathHistoryModel</name>
    <message>
        <source>deleted (whiteout)</source>
        <translation>삭제됨(화이트아웃)</translation>
    </message>
    <message>
        <source>hidden by an opaque directory</source>
        <translation>불투명 디렉터리에 가려짐</translation>
    </message>
    <message>
        <source>a parent directory was deleted</source>
        <translation>상위 디렉터리가 삭제됨</translation>
    </message>
    <message>
        <source>a parent directory was replaced</source>
        <translation>상위 디렉터리가 다른 것으로 바뀜</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>변경</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>자세히</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::Presentation</name>
    <message>
        <source>Added</source>
        <translation>추가</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>수정</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/초</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1분 %2초</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1시간 %2분</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::PullBox</name>
    <message>
        <source>Image to pull, for example busybox or localhost:5000/team/app:1.0</source>
        <translation>받을 이미지, 예: busybox 또는 localhost:5000/team/app:1.0</translation>
    </message>
    <message>
        <source>Image to pull</source>
        <translation>받을 이미지</translation>
    </message>
    <message>
        <source>Pull</source>
        <translation>받기</translation>
    </message>
    <message>
        <source>Download the image; layers already in the store are not downloaded again</source>
        <translation>이미지를 내려받습니다. 저장소에 이미 있는 레이어는 다시 받지 않습니다</translation>
    </message>
    <message>
        <source>Wait for the current transfer, or cancel it</source>
        <translation>진행 중인 전송이 끝나기를 기다리거나 취소하세요</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid image name.</source>
        <translation>&quot;%1&quot;은(는) 올바른 이미지 이름이 아닙니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::RegistriesModel</name>
    <message>
        <source>In the desktop&apos;s secret service (GNOME Keyring, KWallet), never in a plain file</source>
        <translation>데스크톱의 비밀 서비스(GNOME Keyring, KWallet)에 있고, 일반 파일에는 절대 두지 않습니다</translation>
    </message>
    <message>
        <source>In a file only you can read, because no secret service was available (berthctl login --insecure-file-store)</source>
        <translation>비밀 서비스가 없어서 본인만 읽을 수 있는 파일에 있습니다 (berthctl login --insecure-file-store)</translation>
    </message>
    <message>
        <source>From ~/.docker/config.json, where docker or podman login put it; log out with those tools</source>
        <translation>docker 또는 podman login이 저장한 ~/.docker/config.json에서 읽었습니다. 로그아웃은 그 도구로 하세요</translation>
    </message>
    <message>
        <source>(token)</source>
        <translation>(토큰)</translation>
    </message>
    <message>
        <source>System keychain</source>
        <translation>시스템 키체인</translation>
    </message>
    <message>
        <source>Private file</source>
        <translation>개인 파일</translation>
    </message>
    <message>
        <source>Docker&apos;s config</source>
        <translation>Docker 설정</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>레지스트리</translation>
    </message>
    <message>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Kept in</source>
        <translation>보관 위치</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::RegistriesPage</name>
    <message>
        <source>&lt;h2&gt;Registries&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;레지스트리&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Log in to a registry</source>
        <translation>레지스트리에 로그인</translation>
    </message>
    <message>
        <source>docker.io, ghcr.io, localhost:5000…</source>
        <translation>docker.io, ghcr.io, localhost:5000…</translation>
    </message>
    <message>
        <source>Password or access token</source>
        <translation>비밀번호 또는 액세스 토큰</translation>
    </message>
    <message>
        <source>Registry:</source>
        <translation>레지스트리:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>사용자 이름:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>비밀번호:</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>로그인</translation>
    </message>
    <message>
        <source>The registry checks the user name and password first; then they are kept in the system keychain, never in a plain file.</source>
        <translation>먼저 레지스트리가 사용자 이름과 비밀번호를 확인하고, 그다음 시스템 키체인에 보관합니다. 일반 파일에는 절대 두지 않습니다.</translation>
    </message>
    <message>
        <source>Registries with credentials</source>
        <translation>자격 증명이 있는 레지스트리</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>로그아웃</translation>
    </message>
    <message>
        <source>Forget the selected registry&apos;s credentials (Docker&apos;s own config is left to docker logout)</source>
        <translation>선택한 레지스트리의 자격 증명을 지웁니다 (Docker 자체 설정은 docker logout에 맡깁니다)</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>새로 고침</translation>
    </message>
    <message>
        <source>Tags of a repository</source>
        <translation>저장소의 태그</translation>
    </message>
    <message>
        <source>Repository, for example busybox or localhost:5000/team/app</source>
        <translation>저장소, 예: busybox 또는 localhost:5000/team/app</translation>
    </message>
    <message>
        <source>List tags</source>
        <translation>태그 보기</translation>
    </message>
    <message>
        <source>Filter tags</source>
        <translation>태그 거르기</translation>
    </message>
    <message>
        <source>Pull this tag</source>
        <translation>이 태그 받기</translation>
    </message>
    <message>
        <source>Pull the selected tag on the Images page (double-click)</source>
        <translation>선택한 태그를 이미지 페이지에서 받습니다 (더블 클릭)</translation>
    </message>
    <message>
        <source>Enter a user name and a password (or access token).</source>
        <translation>사용자 이름과 비밀번호(또는 액세스 토큰)를 입력하세요.</translation>
    </message>
    <message>
        <source>Checking the credentials with %1…</source>
        <translation>%1에서 자격 증명을 확인하는 중…</translation>
    </message>
    <message>
        <source>Could not log in to %1.</source>
        <translation>%1에 로그인하지 못했습니다.</translation>
    </message>
    <message>
        <source>Logged in to %1. The credentials are in the system keychain.</source>
        <translation>%1에 로그인했습니다. 자격 증명은 시스템 키체인에 있습니다.</translation>
    </message>
    <message>
        <source>Logged in to %1</source>
        <translation>%1에 로그인함</translation>
    </message>
    <message>
        <source>Could not log out of %1.</source>
        <translation>%1에서 로그아웃하지 못했습니다.</translation>
    </message>
    <message>
        <source>Logged out of %1</source>
        <translation>%1에서 로그아웃함</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a repository name.</source>
        <translation>&quot;%1&quot;은(는) 저장소 이름이 아닙니다.</translation>
    </message>
    <message>
        <source>Asking %1 for the tags of %2…</source>
        <translation>%1에 %2의 태그를 묻는 중…</translation>
    </message>
    <message>
        <source>The tags of %1 could not be listed.</source>
        <translation>%1의 태그를 가져오지 못했습니다.</translation>
    </message>
    <message>
        <source>%1 has no tags.</source>
        <translation>%1에는 태그가 없습니다.</translation>
    </message>
    <message>
        <source>%1 has 1 tag. Double-click it to pull it.</source>
        <translation>%1에는 태그가 1개 있습니다. 더블 클릭하면 받습니다.</translation>
    </message>
    <message>
        <source>%1 has %2 tags. Double-click one to pull it.</source>
        <translation>%1에는 태그가 %2개 있습니다. 하나를 더블 클릭하면 받습니다.</translation>
    </message>
    <message>
        <source>This computer has no keychain: keep the password in a file only I can read</source>
        <translation>이 컴퓨터에는 키체인이 없음: 비밀번호를 나만 읽을 수 있는 파일에 보관</translation>
    </message>
    <message>
        <source>Like berthctl login --insecure-file-store. Anyone who can read your files as you (or as root) can read the password.</source>
        <translation>berthctl login --insecure-file-store와 같습니다. 본인(또는 root) 권한으로 파일을 읽을 수 있는 사람은 비밀번호도 읽을 수 있습니다.</translation>
    </message>
    <message>
        <source>Logged in to %1. The credentials are in a file only you can read: %2</source>
        <translation>%1에 로그인했습니다. 자격 증명은 본인만 읽을 수 있는 파일에 있습니다: %2</translation>
    </message>
    <message>
        <source>Insecure registry: plain HTTP, or a certificate that cannot be verified</source>
        <translation>안전하지 않은 레지스트리: 일반 HTTP 또는 확인할 수 없는 인증서</translation>
    </message>
    <message>
        <source>Like Docker&apos;s insecure-registries: remembered for every pull and push (in %1)</source>
        <translation>Docker의 insecure-registries와 같습니다: 이후의 모든 풀과 푸시에 적용됩니다 (%1에 저장)</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::RunDialog</name>
    <message>
        <source>Run a container</source>
        <translation>컨테이너 실행</translation>
    </message>
    <message>
        <source>The image whose files the container starts from</source>
        <translation>컨테이너가 시작할 때 쓰는 파일을 담은 이미지</translation>
    </message>
    <message>
        <source>&amp;Image:</source>
        <translation>이미지(&amp;I):</translation>
    </message>
    <message>
        <source>A generated name</source>
        <translation>자동으로 만든 이름</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>이름(&amp;N):</translation>
    </message>
    <message>
        <source>The image&apos;s own command</source>
        <translation>이미지에 정해진 명령</translation>
    </message>
    <message>
        <source>Words as in a shell; quote with &apos; or &quot; to keep spaces</source>
        <translation>셸처럼 단어로 나눕니다. 공백을 유지하려면 &apos; 또는 &quot;로 묶으세요</translation>
    </message>
    <message>
        <source>&amp;Command:</source>
        <translation>명령(&amp;C):</translation>
    </message>
    <message>
        <source>Variable</source>
        <translation>변수</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>값</translation>
    </message>
    <message>
        <source>Add variable</source>
        <translation>변수 추가</translation>
    </message>
    <message>
        <source>Remove variable</source>
        <translation>변수 삭제</translation>
    </message>
    <message>
        <source>&amp;Environment:</source>
        <translation>환경 변수(&amp;E):</translation>
    </message>
    <message>
        <source>The image&apos;s, else /</source>
        <translation>이미지의 설정, 없으면 /</translation>
    </message>
    <message>
        <source>&amp;Working directory:</source>
        <translation>작업 디렉터리(&amp;W):</translation>
    </message>
    <message>
        <source>The image&apos;s, else root</source>
        <translation>이미지의 설정, 없으면 root</translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation>사용자(&amp;U):</translation>
    </message>
    <message>
        <source>no limit (e.g. 512m)</source>
        <translation>제한 없음 (예: 512m)</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>제한 없음</translation>
    </message>
    <message>
        <source>Memory:</source>
        <translation>메모리:</translation>
    </message>
    <message>
        <source>CPUs:</source>
        <translation>CPU:</translation>
    </message>
    <message>
        <source>Processes:</source>
        <translation>프로세스:</translation>
    </message>
    <message>
        <source>Limits:</source>
        <translation>제한:</translation>
    </message>
    <message>
        <source>Remove the container when it exits (--rm)</source>
        <translation>종료되면 컨테이너 삭제 (--rm)</translation>
    </message>
    <message>
        <source>Run an init process that forwards signals and reaps zombies (--init)</source>
        <translation>시그널을 전달하고 좀비 프로세스를 거두는 init 프로세스 실행 (--init)</translation>
    </message>
    <message>
        <source>Run in the background; do not open its logs (-d)</source>
        <translation>백그라운드에서 실행하고 로그는 열지 않음 (-d)</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>옵션:</translation>
    </message>
    <message>
        <source>The same from a terminal:</source>
        <translation>터미널에서 같은 작업:</translation>
    </message>
    <message>
        <source>Equivalent command line</source>
        <translation>같은 일을 하는 명령줄</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>실행</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>시작 중…</translation>
    </message>
    <message>
        <source>The container could not be started.</source>
        <translation>컨테이너를 시작할 수 없습니다.</translation>
    </message>
    <message>
        <source>none (e.g. 8080:80 makes the container&apos;s port 80 http://localhost:8080)</source>
        <translation>없음 (예: 8080:80이면 컨테이너의 80번 포트가 http://localhost:8080이 됩니다)</translation>
    </message>
    <message>
        <source>Published ports: HOST:CONTAINER[/udp], several separated by commas</source>
        <translation>공개할 포트: 호스트:컨테이너[/udp], 여러 개는 쉼표로 구분</translation>
    </message>
    <message>
        <source>&amp;Ports:</source>
        <translation>포트(&amp;P):</translation>
    </message>
    <message>
        <source>none (e.g. data:/data keeps /data in the volume &quot;data&quot;)</source>
        <translation>없음 (예: data:/data는 /data를 볼륨 &quot;data&quot;에 보관합니다)</translation>
    </message>
    <message>
        <source>Volumes: VOLUME:/path or /host/folder:/path, :ro at the end for read-only, several separated by commas</source>
        <translation>볼륨: VOLUME:/경로 또는 /호스트/폴더:/경로, 읽기 전용이면 끝에 :ro, 여러 개는 쉼표로 구분</translation>
    </message>
    <message>
        <source>&amp;Volumes:</source>
        <translation>볼륨(&amp;V):</translation>
    </message>
    <message>
        <source>Never (no)</source>
        <translation>안 함 (no)</translation>
    </message>
    <message>
        <source>When it fails (on-failure)</source>
        <translation>실패했을 때 (on-failure)</translation>
    </message>
    <message>
        <source>Always, also after Berth starts again (always)</source>
        <translation>항상, Berth가 다시 시작된 뒤에도 (always)</translation>
    </message>
    <message>
        <source>Always, unless stopped by hand (unless-stopped)</source>
        <translation>직접 중지하지 않는 한 항상 (unless-stopped)</translation>
    </message>
    <message>
        <source>Whether the container runs again when its program ends</source>
        <translation>컨테이너의 프로그램이 끝났을 때 다시 실행할지 여부</translation>
    </message>
    <message>
        <source>&amp;Restart:</source>
        <translation>재시작(&amp;R):</translation>
    </message>
    <message>
        <source> times at most</source>
        <translation>회까지</translation>
    </message>
    <message>
        <source>How many times a failing container is restarted before Berth gives up</source>
        <translation>실패한 컨테이너를 Berth가 포기하기 전까지 다시 시작하는 최대 횟수</translation>
    </message>
    <message>
        <source>The container could not be started: a host port you chose is already in use by another program or container. Choose another host port, or give only the container&apos;s port (&quot;80&quot;) to get a free one. Nothing was created.</source>
        <translation>컨테이너를 시작하지 못했습니다: 선택한 호스트 포트를 다른 프로그램이나 컨테이너가 이미 쓰고 있습니다. 다른 호스트 포트를 고르거나, 컨테이너 포트만(&quot;80&quot;) 적어 빈 포트를 받으세요. 아무것도 만들어지지 않았습니다.</translation>
    </message>
    <message>
        <source>The container could not be started: its command (%1) does not exist in the image. Check the command, or leave it empty for the image&apos;s own. Nothing was created.</source>
        <translation>컨테이너를 시작하지 못했습니다: 명령(%1)이 이미지에 없습니다. 명령을 확인하거나, 비워 두어 이미지의 기본 명령을 쓰세요. 아무것도 만들어지지 않았습니다.</translation>
    </message>
    <message>
        <source>the image&apos;s</source>
        <translation>이미지의 기본 명령</translation>
    </message>
    <message>
        <source>The container could not be started: its command cannot be run (a directory, or a file that is not executable). Nothing was created.</source>
        <translation>컨테이너를 시작하지 못했습니다: 명령을 실행할 수 없습니다(디렉터리이거나 실행 파일이 아닙니다). 아무것도 만들어지지 않았습니다.</translation>
    </message>
    <message>
        <source>Nothing was created.</source>
        <translation>아무것도 만들어지지 않았습니다.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::RunTexts</name>
    <message>
        <source>Choose an image.</source>
        <translation>이미지를 선택하세요.</translation>
    </message>
    <message>
        <source>The name may contain letters, digits, &apos;_&apos;, &apos;.&apos; and &apos;-&apos;, and must start with a letter or digit.</source>
        <translation>이름에는 문자, 숫자, &apos;_&apos;, &apos;.&apos;, &apos;-&apos;를 쓸 수 있으며 문자나 숫자로 시작해야 합니다.</translation>
    </message>
    <message>
        <source>The working directory must be an absolute path, starting with /.</source>
        <translation>작업 디렉터리는 /로 시작하는 절대 경로여야 합니다.</translation>
    </message>
    <message>
        <source>The memory limit is not a size; write for example 512m or 2g.</source>
        <translation>메모리 제한이 크기가 아닙니다. 예를 들어 512m 또는 2g처럼 쓰세요.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a published port; write HOST:CONTAINER, for example 8080:80, or 8080:80/udp.</source>
        <translation>&quot;%1&quot;은(는) 공개 포트 형식이 아닙니다. 호스트:컨테이너 형식으로 쓰세요 (예: 8080:80 또는 8080:80/udp).</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a volume; write VOLUME:/path in the container, for example data:/var/lib/app, or /host/folder:/path, with :ro at the end for read-only.</source>
        <translation>&quot;%1&quot;은(는) 볼륨이 아닙니다. VOLUME:/컨테이너 안 경로(예: data:/var/lib/app) 또는 /호스트/폴더:/경로로 쓰고, 읽기 전용이면 끝에 :ro를 붙이세요.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a restart policy; choose no, on-failure, always or unless-stopped.</source>
        <translation>&quot;%1&quot;은(는) 재시작 정책이 아닙니다. no, on-failure, always, unless-stopped 중에서 고르세요.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>시스템 기본값</translation>
    </message>
    <message>
        <source>Interface language:</source>
        <translation>화면 언어:</translation>
    </message>
    <message>
        <source>A new language is used from the next start of Berth.</source>
        <translation>새 언어는 Berth를 다음에 시작할 때부터 적용됩니다.</translation>
    </message>
    <message>
        <source>Docker Engine API</source>
        <translation>Docker Engine API</translation>
    </message>
    <message>
        <source>Lets the docker command, Docker SDKs and IDE plugins use Berth&apos;s images and containers while Berth runs (DOCKER_HOST=unix://SOCKET). Only users who may open the socket can use it.</source>
        <translation>Berth가 실행되는 동안 docker 명령, Docker SDK, IDE 플러그인이 Berth의 이미지와 컨테이너를 사용할 수 있게 합니다 (DOCKER_HOST=unix://SOCKET). 소켓을 열 수 있는 사용자만 사용할 수 있습니다.</translation>
    </message>
    <message>
        <source>Serve the Docker Engine API</source>
        <translation>Docker Engine API 제공</translation>
    </message>
    <message>
        <source>Socket</source>
        <translation>소켓</translation>
    </message>
    <message>
        <source>Socket:</source>
        <translation>소켓:</translation>
    </message>
    <message>
        <source>Not available in this window.</source>
        <translation>이 창에서는 사용할 수 없습니다.</translation>
    </message>
    <message>
        <source>Serving on unix://%1</source>
        <translation>unix://%1 에서 제공 중</translation>
    </message>
    <message>
        <source>Not serving.</source>
        <translation>제공하지 않음.</translation>
    </message>
    <message>
        <source>Choose a socket path.</source>
        <translation>소켓 경로를 정하세요.</translation>
    </message>
    <message>
        <source>The API could not start: %1</source>
        <translation>API를 시작할 수 없습니다: %1</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::StatsChart</name>
    <message>
        <source>Last minute</source>
        <translation>최근 1분</translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>최근 5분</translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation>최근 15분</translation>
    </message>
    <message>
        <source>CPU %</source>
        <translation>CPU %</translation>
    </message>
    <message>
        <source>Memory (MB)</source>
        <translation>메모리 (MB)</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>프로세스</translation>
    </message>
    <message>
        <source>Waiting for samples; a container shows them while it runs.</source>
        <translation>측정값을 기다리는 중입니다. 컨테이너가 실행 중일 때 표시됩니다.</translation>
    </message>
    <message>
        <source>CPU %1%, memory %2 of %3 (%4%), %5 processes</source>
        <translation>CPU %1%, 메모리 %3 중 %2 (%4%), 프로세스 %5개</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV로 내보내기…</translation>
    </message>
    <message>
        <source>Save every sample kept (up to 15 minutes) as a CSV file</source>
        <translation>보관된 모든 측정값(최대 15분)을 CSV 파일로 저장합니다</translation>
    </message>
    <message>
        <source>Export statistics</source>
        <translation>통계 내보내기</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 파일 (*.csv)</translation>
    </message>
    <message>
        <source>The statistics could not be exported.</source>
        <translation>통계를 내보낼 수 없습니다.</translation>
    </message>
    <message>
        <source>Exported the statistics to %1</source>
        <translation>통계를 %1에 내보냈습니다</translation>
    </message>
    <message>
        <source>Network (kB/s)</source>
        <translation>네트워크 (kB/s)</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>받음</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>보냄</translation>
    </message>
    <message>
        <source>Disk (kB/s)</source>
        <translation>디스크 (kB/s)</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>읽음</translation>
    </message>
    <message>
        <source>Written</source>
        <translation>씀</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::TaskProgress</name>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::TerminalView</name>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>붙여넣기</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::TransferModel</name>
    <message>
        <source>Already here</source>
        <translation>이미 있음</translation>
    </message>
    <message>
        <source>Waiting (resumes)</source>
        <translation>대기 중 (이어 받기)</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>대기 중</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>받는 중</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>확인 중</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>준비됨</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>받음</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>Already in the registry</source>
        <translation>레지스트리에 이미 있음</translation>
    </message>
    <message>
        <source>Mounted from another repository</source>
        <translation>다른 저장소에서 마운트함</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>올리는 중</translation>
    </message>
    <message>
        <source>Pushed</source>
        <translation>푸시함</translation>
    </message>
    <message>
        <source>%1 (config)</source>
        <translation>%1 (설정)</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>진행</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::TransferPanel</name>
    <message>
        <source>1 layer</source>
        <translation>레이어 1개</translation>
    </message>
    <message>
        <source>%1 layers</source>
        <translation>레이어 %1개</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Show the progress of each layer</source>
        <translation>레이어마다 진행 상황을 보여 줍니다</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <source>Hide this panel</source>
        <translation>이 패널을 숨깁니다</translation>
    </message>
    <message>
        <source>Total progress</source>
        <translation>전체 진행</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>자세히</translation>
    </message>
    <message>
        <source>Asking the registry what to transfer…</source>
        <translation>무엇을 전송할지 레지스트리에 묻는 중…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>취소하는 중…</translation>
    </message>
    <message>
        <source>Pulling %1</source>
        <translation>%1 받는 중</translation>
    </message>
    <message>
        <source>Pulled %1 in %2</source>
        <translation>%1을(를) %2 만에 받았습니다</translation>
    </message>
    <message>
        <source>%1 could not be pulled.</source>
        <translation>%1을(를) 받지 못했습니다.</translation>
    </message>
    <message>
        <source>Pushing %1</source>
        <translation>%1 푸시하는 중</translation>
    </message>
    <message>
        <source>Pushed %1 in %2: %3 sent, %4 the registry already had</source>
        <translation>%1을(를) %2 만에 푸시했습니다: %3개 보냄, %4개는 레지스트리에 이미 있었음</translation>
    </message>
    <message>
        <source>Pushed %1 in %2</source>
        <translation>%1을(를) %2 만에 푸시했습니다</translation>
    </message>
    <message>
        <source>%1 could not be pushed.</source>
        <translation>%1을(를) 푸시하지 못했습니다.</translation>
    </message>
    <message>
        <source>%1, all already here: nothing to download</source>
        <translation>%1, 모두 이미 있음: 받을 것 없음</translation>
    </message>
    <message>
        <source>%1, %2 already here, %3 to download</source>
        <translation>%1, %2개 이미 있음, %3 받을 예정</translation>
    </message>
    <message>
        <source>(%1 kept from an interrupted pull is not downloaded again)</source>
        <translation>(중단된 받기에서 남은 %1은(는) 다시 받지 않습니다)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>약 %1 남음</translation>
    </message>
    <message>
        <source>Downloaded %1; unpacking the layers…</source>
        <translation>%1 받음, 레이어를 푸는 중…</translation>
    </message>
    <message>
        <source>Compressing the layers stored uncompressed, for the registry</source>
        <translation>압축되지 않은 레이어를 레지스트리용으로 압축하는 중</translation>
    </message>
    <message>
        <source>%1 and the config, %2 already in the registry</source>
        <translation>%1와 설정, %2개는 레지스트리에 이미 있음</translation>
    </message>
    <message>
        <source>Cancelled. What was already transferred is kept, and the next attempt continues from there.</source>
        <translation>취소했습니다. 이미 전송한 것은 남겨 두고, 다음 시도는 거기서 이어 갑니다.</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>취소함</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::VolumesModel</name>
    <message>
        <source>An anonymous volume, made for a VOLUME of an image; it goes with its container when that is removed with its volumes</source>
        <translation>이미지의 VOLUME을 위해 만든 익명 볼륨입니다. 컨테이너를 볼륨과 함께 삭제하면 같이 사라집니다</translation>
    </message>
    <message>
        <source>No container uses this volume; removing it is safe (its files are lost)</source>
        <translation>이 볼륨을 쓰는 컨테이너가 없습니다. 삭제해도 컨테이너에는 영향이 없습니다 (파일은 사라집니다)</translation>
    </message>
    <message>
        <source>Used by: %1</source>
        <translation>사용하는 컨테이너: %1</translation>
    </message>
    <message>
        <source>%1… (anonymous)</source>
        <translation>%1… (익명)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>measuring…</source>
        <translation>재는 중…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>드라이버</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>사용 중인 컨테이너</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>생성</translation>
    </message>
    <message>
        <source>Folder on the host</source>
        <translation>호스트의 폴더</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::VolumesPage</name>
    <message>
        <source>&lt;h2&gt;Volumes&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;볼륨&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>A volume is a folder kept outside every container: what a container writes there stays when the container is removed, and another container can use it next.</source>
        <translation>볼륨은 모든 컨테이너 밖에 보관하는 폴더입니다. 컨테이너가 여기에 쓴 것은 컨테이너를 삭제해도 남고, 다음에 다른 컨테이너가 쓸 수 있습니다.</translation>
    </message>
    <message>
        <source>Create…</source>
        <translation>만들기…</translation>
    </message>
    <message>
        <source>Make a new, empty volume</source>
        <translation>비어 있는 새 볼륨을 만듭니다</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>삭제…</translation>
    </message>
    <message>
        <source>Delete the selected volume and its files (Delete)</source>
        <translation>선택한 볼륨과 그 파일을 삭제합니다 (Delete)</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>새로 고침</translation>
    </message>
    <message>
        <source>Anonymous volumes no container uses</source>
        <translation>어떤 컨테이너도 쓰지 않는 익명 볼륨</translation>
    </message>
    <message>
        <source>All volumes no container uses</source>
        <translation>어떤 컨테이너도 쓰지 않는 모든 볼륨</translation>
    </message>
    <message>
        <source>Volumes to prune</source>
        <translation>정리할 볼륨</translation>
    </message>
    <message>
        <source>Prune…</source>
        <translation>정리…</translation>
    </message>
    <message>
        <source>Shows which volumes would be deleted and asks first</source>
        <translation>어떤 볼륨이 삭제될지 보여 주고 먼저 묻습니다</translation>
    </message>
    <message>
        <source>No volumes yet. Create one here, or give a container one in the Run dialog.</source>
        <translation>아직 볼륨이 없습니다. 여기서 만들거나 실행 대화 상자에서 컨테이너에 볼륨을 주세요.</translation>
    </message>
    <message>
        <source>Volumes: %1, in use: %2.</source>
        <translation>볼륨: %1개, 사용 중: %2개.</translation>
    </message>
    <message>
        <source>Create volume</source>
        <translation>볼륨 만들기</translation>
    </message>
    <message>
        <source>Name of the new volume (letters, digits, and . _ - after the first):</source>
        <translation>새 볼륨의 이름 (영문자, 숫자, 그리고 첫 글자 뒤에는 . _ -):</translation>
    </message>
    <message>
        <source>A volume needs a name.</source>
        <translation>볼륨에는 이름이 필요합니다.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; cannot be a volume name: use letters, digits, and . _ - after the first character.</source>
        <translation>&quot;%1&quot;은(는) 볼륨 이름이 될 수 없습니다. 영문자, 숫자, 그리고 첫 글자 뒤에는 . _ -를 쓰세요.</translation>
    </message>
    <message>
        <source>The volume %1 could not be created.</source>
        <translation>볼륨 %1을(를) 만들지 못했습니다.</translation>
    </message>
    <message>
        <source>The volume %1 already exists; nothing changed.</source>
        <translation>볼륨 %1은(는) 이미 있습니다. 바뀐 것은 없습니다.</translation>
    </message>
    <message>
        <source>Created the volume %1.</source>
        <translation>볼륨 %1을(를) 만들었습니다.</translation>
    </message>
    <message>
        <source>The volume %1 is in use by %2, so it cannot be removed. Remove the container first (Containers page); the volume keeps its files until then.</source>
        <translation>볼륨 %1은(는) %2이(가) 쓰고 있어서 삭제할 수 없습니다. 먼저 컨테이너를 삭제하세요 (컨테이너 페이지). 그때까지 볼륨은 파일을 그대로 둡니다.</translation>
    </message>
    <message>
        <source>Volume in use</source>
        <translation>사용 중인 볼륨</translation>
    </message>
    <message>
        <source>an unknown amount</source>
        <translation>알 수 없는 크기</translation>
    </message>
    <message>
        <source>Remove volume</source>
        <translation>볼륨 삭제</translation>
    </message>
    <message>
        <source>Remove the volume %1? Its files (%2) are deleted for good.</source>
        <translation>볼륨 %1을(를) 삭제할까요? 그 파일(%2)은 완전히 지워집니다.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>The volume %1 cannot be removed: a container uses it (it may have just been created). Remove the container first.</source>
        <translation>볼륨 %1은(는) 컨테이너가 쓰고 있어서 삭제할 수 없습니다 (방금 만들어졌을 수 있습니다). 먼저 컨테이너를 삭제하세요.</translation>
    </message>
    <message>
        <source>The volume %1 could not be removed.</source>
        <translation>볼륨 %1을(를) 삭제하지 못했습니다.</translation>
    </message>
    <message>
        <source>Removed the volume %1.</source>
        <translation>볼륨 %1을(를) 삭제했습니다.</translation>
    </message>
    <message>
        <source>Nothing to prune: every volume is in use.</source>
        <translation>정리할 것이 없습니다. 모든 볼륨이 사용 중입니다.</translation>
    </message>
    <message>
        <source>Nothing to prune: no anonymous volume is unused.</source>
        <translation>정리할 것이 없습니다. 쓰이지 않는 익명 볼륨이 없습니다.</translation>
    </message>
    <message>
        <source>Prune volumes</source>
        <translation>볼륨 정리</translation>
    </message>
    <message>
        <source>Delete the volumes no container uses? Volumes: %1, freeing %2. Their files are deleted for good.</source>
        <translation>어떤 컨테이너도 쓰지 않는 볼륨을 삭제할까요? 볼륨 %1개, %2 확보. 그 파일은 완전히 지워집니다.</translation>
    </message>
    <message>
        <source>Prune</source>
        <translation>정리</translation>
    </message>
    <message>
        <source>Pruned volumes: %1.</source>
        <translation>정리한 볼륨: %1개.</translation>
    </message>
    <message>
        <source>Pruned volumes: %1. Kept (in use or already gone): %2.</source>
        <translation>정리한 볼륨: %1개. 남긴 볼륨 (사용 중이거나 이미 없음): %2.</translation>
    </message>
</context>
<context>
    <name>Berth::Gui::WastedModel</name>
    <message>
        <source>%1 (%2) was stored by layer %3 and hidden by layer %4</source>
        <translation>%1(%2)은(는) 레이어 %3에 저장되었고 레이어 %4에 가려졌습니다</translation>
    </message>
    <message>
        <source>Unreachable copy</source>
        <translation>접근할 수 없는 사본</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Stored by</source>
        <translation>저장한 레이어</translation>
    </message>
    <message>
        <source>Hidden by</source>
        <translation>가린 레이어</translation>
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
        <source>Details</source>
        <translation>자세히</translation>
    </message>
    <message>
        <source>&lt;b&gt;Or pull an image from a registry&lt;/b&gt; such as Docker Hub (needs the network):</source>
        <translation>&lt;b&gt;또는 Docker Hub 같은 레지스트리에서 이미지를 받으세요&lt;/b&gt; (네트워크 필요):</translation>
    </message>
    <message>
        <source>Log in to a registry first…</source>
        <translation>먼저 레지스트리에 로그인…</translation>
    </message>
</context>
</TS>
