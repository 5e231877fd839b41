// SPDX-License-Identifier: GPL-3.0-or-later
// The Dockerfile parser and variable substitution, data-driven: every instruction and form, and
// malformed inputs with their exact message and position.
#include "engine/builder/dockerfile.h"
#include "engine/core/textvalues.h"
#include "tests/support/testsupport.h"

using namespace Berth::Engine;

namespace {

QString describe(const DockerfileInstruction &ins) {
    QString s = QStringLiteral("%1@%2:%3").arg(ins.keyword()).arg(ins.line).arg(ins.column);
    if (ins.endLine != ins.line)
        s += QStringLiteral("-%1").arg(ins.endLine);
    for (const auto &f : ins.flags)
        s += QStringLiteral(" --%1=%2").arg(f.first, f.second);
    if (ins.json)
        s += QStringLiteral(" json[%1]").arg(ins.jsonArgs.join(QLatin1Char('|')));
    else
        s += QStringLiteral(" {%1}").arg(ins.args);
    if (!ins.healthcheckType.isEmpty())
        s += QStringLiteral(" hc=") + ins.healthcheckType;
    if (!ins.onbuild.isEmpty())
        s += QStringLiteral(" onbuild=") + ins.onbuild;
    for (const auto &h : ins.heredocs) {
        QString content = h.content;
        content.replace(QLatin1Char('\n'), QLatin1String("\\n"));
        s += QStringLiteral(" <<%1%2%3@%4:%5=%6")
                 .arg(h.chomp ? QStringLiteral("-") : QString(), h.name,
                      h.expand ? QString() : QStringLiteral("(q)"))
                 .arg(h.line)
                 .arg(h.column)
                 .arg(content);
    }
    return s;
}

QString describe(const Dockerfile &df) {
    QStringList lines;
    if (df.escape != QLatin1Char('\\'))
        lines << QStringLiteral("escape=") + df.escape;
    if (!df.syntax.isEmpty())
        lines << QStringLiteral("syntax=") + df.syntax;
    for (const auto &a : df.globalArgs)
        lines << describe(a);
    for (const auto &st : df.stages) {
        lines << QStringLiteral("STAGE %1 as=%2 platform=%3 @%4")
                     .arg(st.base, st.name, st.platform)
                     .arg(st.from.line);
        for (const auto &i : st.instructions)
            lines << QStringLiteral("  ") + describe(i);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestDockerfile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void rejects_data();
    void rejects();
    void expands_data();
    void expands();
    void evaluates_data();
    void evaluates();
    void shellCommand();
    void durations();
};

void TestDockerfile::parses_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("minimal") << "FROM busybox\n"
                             << "STAGE busybox as= platform= @1";
    QTest::newRow("comments, blank lines, lower case, CRLF")
        << "# a comment\r\n\r\nfrom busybox AS Build\r\n  # indented comment\r\nrun echo hi\r\n"
        << "STAGE busybox as=build platform= @3\n  RUN@5:1 {echo hi}";
    QTest::newRow("platform") << "FROM --platform=linux/arm64 busybox as b"
                              << "STAGE busybox as=b platform=linux/arm64 @1";
    QTest::newRow("continuation")
        << "FROM busybox\nRUN echo a \\\n  && echo b \\\n# comment inside\n\n  && echo c\n"
        << "STAGE busybox as= platform= @1\n  RUN@2:1-6 {echo a   && echo b   && echo c}";
    QTest::newRow("escape directive")
        << "# escape=`\n# syntax=docker/dockerfile:1\nFROM busybox\nRUN echo a `\n b\n"
        << "escape=`\nsyntax=docker/dockerfile:1\nSTAGE busybox as= platform= @3\n"
           "  RUN@4:1-5 {echo a  b}";
    QTest::newRow("directive after comment is a comment")
        << "# hello\n# escape=`\nFROM busybox\nRUN a \\\n b"
        << "STAGE busybox as= platform= @3\n  RUN@4:1-5 {a  b}";
    QTest::newRow("unknown directive is a comment") << "# foo=bar\nFROM x"
                                                    << "STAGE x as= platform= @2";
    QTest::newRow("exec forms")
        << "FROM x\nRUN [\"sh\", \"-c\", \"echo hi\"]\nCMD [\"a\",\"b\"]\nENTRYPOINT "
           "[\"/e\"]\nCMD []"
        << "STAGE x as= platform= @1\n  RUN@2:1 json[sh|-c|echo hi]\n  CMD@3:1 json[a|b]\n"
           "  ENTRYPOINT@4:1 json[/e]\n  CMD@5:1 json[]";
    QTest::newRow("shell forms that start with [")
        << "FROM x\nRUN [ -f /x ] && echo y\nRUN [ \"$a\" = b ]"
        << "STAGE x as= platform= @1\n  RUN@2:1 {[ -f /x ] && echo y}\n  RUN@3:1 {[ \"$a\" = b ]}";
    QTest::newRow("run flags") << "FROM x\nRUN --network=none --mount=type=cache,target=/c make"
                               << "STAGE x as= platform= @1\n  RUN@2:1 --network=none "
                                  "--mount=type=cache,target=/c {make}";
    QTest::newRow("copy add flags and sources")
        << "FROM x\nCOPY --from=build --chown=1:2 --chmod=755 a b* /dst/\nADD --link x.tar "
           "/\nCOPY [\"a b\", \"/c d/\"]\nADD --checksum=sha256:ab http://h/f /f"
        << "STAGE x as= platform= @1\n  COPY@2:1 --from=build --chown=1:2 --chmod=755 {a b* "
           "/dst/}\n  ADD@3:1 --link= {x.tar /}\n  COPY@4:1 json[a b|/c d/]\n  ADD@5:1 "
           "--checksum=sha256:ab {http://h/f /f}";
    QTest::newRow("copy exclude parents, add url, git, keep-git-dir, tar")
        << "FROM x\nCOPY --exclude=*.log --exclude=\"tmp dir\" --parents a/./b/ c* /dst/\n"
           "ADD https://h/f.tgz /f/\nADD --keep-git-dir https://h/r.git#v1:sub /src\n"
           "ADD --chown=app:staff --chmod=0640 pkg.tar.gz /opt/"
        << "STAGE x as= platform= @1\n  COPY@2:1 --exclude=*.log --exclude=tmp dir --parents= "
           "{a/./b/ c* /dst/}\n  ADD@3:1 {https://h/f.tgz /f/}\n  ADD@4:1 --keep-git-dir= "
           "{https://h/r.git#v1:sub /src}\n  ADD@5:1 --chown=app:staff --chmod=0640 "
           "{pkg.tar.gz /opt/}";
    QTest::newRow("directory and wildcard sources")
        << "FROM x\nCOPY dir/ /d/\nCOPY --from=0 /usr/lib/*.so* /lib/\nCOPY [\"a*\", \"b?\", "
           "\"/e/\"]"
        << "STAGE x as= platform= @1\n  COPY@2:1 {dir/ /d/}\n  COPY@3:1 --from=0 {/usr/lib/*.so* "
           "/lib/}\n  COPY@4:1 json[a*|b?|/e/]";
    QTest::newRow("env label forms")
        << "FROM x\nENV A=1 B=\"two words\" C=3\nENV D the rest\nLABEL a=b \"c d\"=e\nLABEL "
           "old style"
        << "STAGE x as= platform= @1\n  ENV@2:1 {A=1 B=\"two words\" C=3}\n  ENV@3:1 {D the "
           "rest}\n  LABEL@4:1 {a=b \"c d\"=e}\n  LABEL@5:1 {old style}";
    QTest::newRow("arg before and after FROM")
        << "ARG V=1\nARG B\nFROM busybox:${V}\nARG V\nARG X=2 Y"
        << "ARG@1:1 {V=1}\nARG@2:1 {B}\nSTAGE busybox:${V} as= platform= @3\n  ARG@4:1 {V}\n"
           "  ARG@5:1 {X=2 Y}";
    QTest::newRow("the rest")
        << "FROM x\nEXPOSE 80 443/udp\nVOLUME /a /b\nVOLUME [\"/c\"]\nUSER app:app\nWORKDIR "
           "/w\nSTOPSIGNAL SIGKILL\nSHELL [\"/bin/bash\", \"-c\"]\nMAINTAINER me <me@x>"
        << "STAGE x as= platform= @1\n  EXPOSE@2:1 {80 443/udp}\n  VOLUME@3:1 {/a /b}\n"
           "  VOLUME@4:1 json[/c]\n  USER@5:1 {app:app}\n  WORKDIR@6:1 {/w}\n"
           "  STOPSIGNAL@7:1 {SIGKILL}\n  SHELL@8:1 json[/bin/bash|-c]\n"
           "  MAINTAINER@9:1 {me <me@x>}";
    QTest::newRow("healthcheck")
        << "FROM x\nHEALTHCHECK NONE\nHEALTHCHECK --interval=30s --timeout=1m30s --retries=3 "
           "CMD curl -f http://l/\nHEALTHCHECK CMD [\"/bin/check\"]"
        << "STAGE x as= platform= @1\n  HEALTHCHECK@2:1 {NONE} hc=NONE\n  HEALTHCHECK@3:1 "
           "--interval=30s --timeout=1m30s --retries=3 {curl -f http://l/} hc=CMD\n"
           "  HEALTHCHECK@4:1 json[/bin/check] hc=CMD";
    QTest::newRow("onbuild exec form and flags")
        << "FROM x\nonbuild CMD [\"run\", \"it\"]\nONBUILD COPY --chown=1 a /b"
        << "STAGE x as= platform= @1\n  ONBUILD@2:1 {CMD [\"run\", \"it\"]} onbuild=CMD "
           "[\"run\", \"it\"]\n  ONBUILD@3:1 {COPY --chown=1 a /b} onbuild=COPY --chown=1 a /b";
    QTest::newRow("platform from an arg")
        << "ARG P=linux/amd64\nFROM --platform=$P busybox AS base\nFROM base"
        << "ARG@1:1 {P=linux/amd64}\nSTAGE busybox as=base platform=$P @2\n"
           "STAGE base as= platform= @3";
    QTest::newRow("onbuild") << "FROM x\nONBUILD RUN make\nONBUILD COPY . /src"
                             << "STAGE x as= platform= @1\n  ONBUILD@2:1 {RUN make} "
                                "onbuild=RUN make\n  ONBUILD@3:1 {COPY . /src} onbuild=COPY . /src";
    QTest::newRow("heredoc run")
        << "FROM x\nRUN <<EOF\necho a\necho b\nEOF\nRUN echo after"
        << "STAGE x as= platform= @1\n  RUN@2:1-5 {<<EOF} <<EOF@2:5=echo a\\necho b\\n\n"
           "  RUN@6:1 {echo after}";
    QTest::newRow("heredoc chomp and quoted")
        << "FROM x\nRUN <<-\"END\"\n\techo $HOME\n\tEND\n"
        << "STAGE x as= platform= @1\n  RUN@2:1-4 {<<-\"END\"} <<-END(q)@2:5=echo $HOME\\n";
    QTest::newRow("two heredocs on one line")
        << "FROM x\nRUN cat <<A > /a && cat <<'B' > /b\none\nA\ntwo\nB\n"
        << "STAGE x as= platform= @1\n  RUN@2:1-6 {cat <<A > /a && cat <<'B' > /b} "
           "<<A@2:9=one\\n <<B(q)@2:25=two\\n";
    QTest::newRow("copy heredoc") << "FROM x\nCOPY <<EOF /etc/motd\nhello $NAME\nEOF\n"
                                  << "STAGE x as= platform= @1\n  COPY@2:1-4 {<<EOF /etc/motd} "
                                     "<<EOF@2:6=hello $NAME\\n";
    QTest::newRow("here-string is no heredoc")
        << "FROM x\nRUN cat <<<word"
        << "STAGE x as= platform= @1\n  RUN@2:1 {cat <<<word}";
    QTest::newRow("heredoc marker in quotes")
        << "FROM x\nRUN echo '<<EOF'"
        << "STAGE x as= platform= @1\n  RUN@2:1 {echo '<<EOF'}";
    QTest::newRow("multi-stage")
        << "FROM busybox AS build\nRUN echo hi > /out\nFROM busybox\nCOPY --from=build /out /out"
        << "STAGE busybox as=build platform= @1\n  RUN@2:1 {echo hi > /out}\n"
           "STAGE busybox as= platform= @3\n  COPY@4:1 --from=build {/out /out}";
    QTest::newRow("BOM and leading whitespace") << QString(QChar(0xfeff)) + "  FROM x\n\t RUN y"
                                                << "STAGE x as= platform= @1\n  RUN@2:3 {y}";
}

void TestDockerfile::parses() {
    QFETCH(QString, text);
    QFETCH(QString, expected);
    auto df = Dockerfile::parse(text);
    QVERIFY2(df.has_value(), qPrintable(df ? QString() : df.error().message));
    QCOMPARE(describe(*df), expected);
}

void TestDockerfile::rejects_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown instruction") << "FROM x\nFORM y"
                                         << "Dockerfile:2:1: unknown instruction \"FORM\"";
    QTest::newRow("unknown instruction indented")
        << "FROM x\n   COPYY a b"
        << "Dockerfile:2:4: unknown instruction \"COPYY\"";
    QTest::newRow("unterminated heredoc")
        << "FROM x\n\nRUN <<EOF\necho a\n"
        << "Dockerfile:3:5: unterminated heredoc \"EOF\" (started here): expected a line \"EOF\" "
           "to end it";
    QTest::newRow("unterminated second heredoc")
        << "FROM x\nRUN cat <<A <<B\na\nA\nb\n"
        << "Dockerfile:2:13: unterminated heredoc \"B\" (started here): expected a line \"B\" to "
           "end it";
    QTest::newRow("bad json cmd") << "FROM x\nRUN a\nENV A=1\nCMD ['sh', '-c']"
                                  << "Dockerfile:4:5: invalid JSON array for CMD: strings must be "
                                     "in double quotes (expected [\"executable\", "
                                     "\"arg\", ...])";
    QTest::newRow("bad json trailing comma") << "FROM x\nRUN [\"a\",]"
                                             << "Dockerfile:2:5: invalid JSON array for RUN: "
                                                "object is missing after a comma at offset 6 "
                                                "(expected "
                                                "[\"executable\", \"arg\", ...])";
    QTest::newRow("bad json number")
        << "FROM x\nENTRYPOINT [\"a\", 1]"
        << "Dockerfile:2:12: invalid JSON array for ENTRYPOINT: every element must be a string "
           "(expected [\"executable\", \"arg\", ...])";
    QTest::newRow("shell needs json") << "FROM x\nSHELL /bin/bash -c"
                                      << "Dockerfile:2:7: SHELL requires the arguments in JSON "
                                         "form: [\"executable\", \"arg\", ...]";
    QTest::newRow("arg used before defined")
        << "FROM x\nWORKDIR /src/$DIR\nARG DIR=app"
        << "Dockerfile:2:14: ARG \"DIR\" used before it is defined";
    QTest::newRow("global arg used before defined")
        << "ARG A=${B}\nARG B=1\nFROM x"
        << "Dockerfile:1:7: ARG \"B\" used before it is defined";
    QTest::newRow("arg in braces before defined")
        << "FROM x\nCOPY a ${DEST:-/d}\nARG DEST"
        << "Dockerfile:2:8: ARG \"DEST\" used before it is defined";
    QTest::newRow("instruction before FROM")
        << "ARG A\nRUN echo"
        << "Dockerfile:2:1: RUN before the first FROM: only ARG may come before FROM";
    QTest::newRow("no FROM") << "# only a comment\nARG A"
                             << "Dockerfile:2:1: no FROM instruction: a Dockerfile needs at "
                                "least one stage";
    QTest::newRow("FROM arguments") << "FROM a b"
                                    << "Dockerfile:1:6: FROM expects \"FROM image [AS name]\"";
    QTest::newRow("FROM no arguments") << "FROM"
                                       << "Dockerfile:1:5: FROM requires at least one argument";
    QTest::newRow("bad stage name") << "FROM a AS 1x"
                                    << "Dockerfile:1:11: invalid stage name \"1x\": expected a "
                                       "letter followed by letters, digits, '_', '-' or '.'";
    QTest::newRow("duplicate stage") << "FROM a AS b\nFROM c AS B"
                                     << "Dockerfile:2:11: duplicate stage name \"b\"";
    QTest::newRow("copy one argument") << "FROM a\nCOPY onlyone"
                                       << "Dockerfile:2:6: COPY requires at least two arguments: "
                                          "source(s) and destination";
    QTest::newRow("unknown flag")
        << "FROM a\nCOPY --form=b x y"
        << "Dockerfile:2:6: unknown flag \"--form\" for COPY: expected one of --from, --chown, "
           "--chmod, --link, --parents, --exclude";
    QTest::newRow("flag on flagless instruction") << "FROM a\nWORKDIR --x=1 /a"
                                                  << "Dockerfile:2:9: WORKDIR takes no flags, got "
                                                     "\"--x\"";
    QTest::newRow("flag without value") << "FROM a\nCOPY --from x y"
                                        << "Dockerfile:2:6: flag \"--from\" needs a value "
                                           "(--from=VALUE)";
    QTest::newRow("env without value")
        << "FROM a\nENV ONLY"
        << "Dockerfile:2:5: ENV \"ONLY\" has no value: expected ENV key=value or ENV key value";
    QTest::newRow("env mixed forms") << "FROM a\nENV A=1 B"
                                     << "Dockerfile:2:9: ENV: expected key=value, got \"B\"";
    QTest::newRow("empty run") << "FROM a\nRUN"
                               << "Dockerfile:2:4: RUN requires at least one argument";
    QTest::newRow("user two args") << "FROM a\nUSER a b"
                                   << "Dockerfile:2:6: USER requires exactly one argument";
    QTest::newRow("healthcheck type") << "FROM a\nHEALTHCHECK RUN x"
                                      << "Dockerfile:2:13: HEALTHCHECK expects NONE or CMD, got "
                                         "\"RUN\"";
    QTest::newRow("healthcheck duration")
        << "FROM a\nHEALTHCHECK --interval=5x CMD true"
        << "Dockerfile:2:13: HEALTHCHECK --interval: invalid duration \"5x\": expected e.g. 30s, "
           "1m30s, 500ms";
    QTest::newRow("onbuild onbuild") << "FROM a\nONBUILD ONBUILD RUN x"
                                     << "Dockerfile:2:9: ONBUILD isn't allowed as an ONBUILD "
                                        "trigger";
    QTest::newRow("onbuild from") << "FROM a\nONBUILD FROM b"
                                  << "Dockerfile:2:9: FROM isn't allowed as an ONBUILD trigger";
    QTest::newRow("onbuild unknown") << "FROM a\nONBUILD FORM b"
                                     << "Dockerfile:2:9: unknown instruction \"FORM\" in ONBUILD";
    QTest::newRow("duplicate flag") << "FROM a\nCOPY --from=a --from=b x y"
                                    << "Dockerfile:2:15: duplicate flag \"--from\"";
    QTest::newRow("run flag without value") << "FROM a\nRUN --network make"
                                            << "Dockerfile:2:5: flag \"--network\" needs a value "
                                               "(--network=VALUE)";
    QTest::newRow("onbuild bad inner json")
        << "FROM a\nONBUILD CMD ['x', 'y']"
        << "Dockerfile:2:13: invalid JSON array for CMD: "
           "strings must be in double quotes (expected [\"executable\", \"arg\", "
           "...])";
    QTest::newRow("bad arg name") << "FROM a\nARG 1x=2"
                                  << "Dockerfile:2:5: invalid ARG name \"1x\": expected letters, "
                                     "digits and '_'";
    QTest::newRow("bad escape directive")
        << "# escape=x\nFROM a"
        << "Dockerfile:1:10: invalid escape character \"x\": expected \\ or `";
    QTest::newRow("duplicate directive") << "# syntax=a\n# syntax=b\nFROM a"
                                         << "Dockerfile:2:1: only one \"syntax\" parser directive "
                                            "can be used";
    QTest::newRow("error position after continuation")
        << "FROM a\nRUN x && \\\n  y\nCOPY \\\n   --bad=1 a b"
        << "Dockerfile:5:4: unknown flag \"--bad\" for COPY: expected one of --from, --chown, "
           "--chmod, --link, --parents, --exclude";
}

void TestDockerfile::rejects() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    auto df = Dockerfile::parse(text);
    QVERIFY2(!df.has_value(), qPrintable(df ? describe(*df) : QString()));
    QCOMPARE(df.error().message, message);
    QCOMPARE(df.error().kind, ErrorKind::InvalidArgument);
}

void TestDockerfile::expands_data() {
    QTest::addColumn<QString>("word");
    QTest::addColumn<QString>("expected"); // "error: ..." for failures

    QTest::newRow("plain") << "abc"
                           << "abc";
    QTest::newRow("dollar") << "$A/x"
                            << "one/x";
    QTest::newRow("braces") << "${A}x"
                            << "onex";
    QTest::newRow("unset") << "[$NOPE]"
                           << "[]";
    QTest::newRow(":- unset") << "${NOPE:-def}"
                              << "def";
    QTest::newRow(":- empty") << "${EMPTY:-def}"
                              << "def";
    QTest::newRow("- empty") << "${EMPTY-def}"
                             << "";
    QTest::newRow(":- set") << "${A:-def}"
                            << "one";
    QTest::newRow(":+ set") << "${A:+alt}"
                            << "alt";
    QTest::newRow(":+ empty") << "${EMPTY:+alt}"
                              << "";
    QTest::newRow("+ empty") << "${EMPTY+alt}"
                             << "alt";
    QTest::newRow("+ unset") << "${NOPE+alt}"
                             << "";
    QTest::newRow("nested default") << "${NOPE:-${A}-x}"
                                    << "one-x";
    QTest::newRow(":? unset") << "${NOPE:?must be set}"
                              << "error: NOPE: must be set";
    QTest::newRow("? set") << "${A?x}"
                           << "one";
    QTest::newRow("single quotes") << "'$A'"
                                   << "$A";
    QTest::newRow("double quotes") << "\"$A b\""
                                   << "one b";
    QTest::newRow("escaped dollar") << "\\$A"
                                    << "$A";
    QTest::newRow("escape in double quotes") << "\"a\\\"b\\$A\\n\""
                                             << "a\"b$A\\n";
    QTest::newRow("lone dollar") << "a$ $1"
                                 << "a$ $1";
    QTest::newRow("bad modifier") << "${A/x/y}"
                                  << "error: unsupported modifier \"/\" in ${A}: expected :-, -, "
                                     ":+, +, :? or ?";
    QTest::newRow("missing brace") << "${A:-x"
                                   << "error: missing '}'";
    QTest::newRow("unterminated quote") << "\"abc"
                                        << "error: unterminated double quote";
}

void TestDockerfile::expands() {
    QFETCH(QString, word);
    QFETCH(QString, expected);
    const VariableLookup lookup = [](const QString &name) -> std::optional<QString> {
        if (name == QLatin1String("A"))
            return QStringLiteral("one");
        if (name == QLatin1String("EMPTY"))
            return QString();
        return std::nullopt;
    };
    auto r = expandWord(word, lookup);
    const QString got = r ? *r : QStringLiteral("error: ") + r.error().message;
    QCOMPARE(got, expected);
}

void TestDockerfile::evaluates_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("buildArgs");
    QTest::addColumn<QString>("expected"); // per instruction of the last stage, then env

    QTest::newRow("arg defaults and build args")
        << "ARG TAG=1.0\nARG UNUSED_G\nFROM busybox:$TAG\nARG TAG\nARG NAME=world GREETING\n"
           "ENV MSG=\"hello ${NAME}\" T=$TAG G=${GREETING:-hi}\nWORKDIR /src/$NAME\n"
           "COPY --chown=$NAME a $NAME/ /dst/\nRUN echo $NAME"
        << QStringList{"NAME=berth", "EXTRA=1"}
        << "FROM busybox:1.0\nARG TAG=1.0\nARG NAME=berth GREETING=\nENV MSG=hello berth T=1.0 "
           "G=hi\nWORKDIR /src/berth\nCOPY a|berth/|/dst/ chown=berth\nRUN\n"
           "env: PATH=/bin MSG=hello berth T=1.0 G=hi\nrun: PATH=/bin MSG=hello berth T=1.0 G=hi "
           "TAG=1.0 NAME=berth GREETING=\nunused: EXTRA";
    QTest::newRow("build arg overrides global default")
        << "ARG V=1\nFROM img:$V\nENV PATH=$PATH:/x\nLABEL a=$V \"b c\"=d\nLABEL legacy $PATH"
        << QStringList{"V=2"}
        << "FROM img:2\nENV PATH=/bin:/x\nLABEL a= b c=d\nLABEL legacy=/bin:/x\n"
           "env: PATH=/bin:/x\nrun: PATH=/bin:/x\nunused: ";
    QTest::newRow("env legacy and exec forms")
        << "FROM x\nENV A  value with  spaces\nVOLUME [\"/data/$A\"]\nEXPOSE 80/tcp 8080\n"
           "USER ${U:-nobody}\nSTOPSIGNAL SIGTERM"
        << QStringList{}
        << "FROM x\nENV A=value with  spaces\nVOLUME /data/value with  spaces\nEXPOSE "
           "80/tcp|8080\nUSER nobody\nSTOPSIGNAL SIGTERM\nenv: PATH=/bin A=value with  spaces\n"
           "run: PATH=/bin A=value with  spaces\nunused: ";
}

void TestDockerfile::evaluates() {
    QFETCH(QString, text);
    QFETCH(QStringList, buildArgs);
    QFETCH(QString, expected);
    auto df = Dockerfile::parse(text);
    QVERIFY2(df.has_value(), qPrintable(df ? QString() : df.error().message));
    QMap<QString, QString> args;
    for (const QString &a : buildArgs)
        args.insert(a.section(QLatin1Char('='), 0, 0), a.section(QLatin1Char('='), 1));
    DockerfileVariables vars(*df, args);
    QStringList out;
    const DockerfileStage &stage = df->stages.last();
    auto from = vars.expandFrom(stage);
    QVERIFY(from.has_value());
    out << QStringLiteral("FROM ") + *from;
    vars.beginStage({QStringLiteral("PATH=/bin")});
    for (const auto &ins : stage.instructions) {
        auto e = vars.evaluate(ins);
        QVERIFY2(e.has_value(), qPrintable(e ? QString() : e.error().message));
        QString line = ins.keyword();
        if (!e->pairs.isEmpty()) {
            QStringList ps;
            for (const auto &p : e->pairs)
                ps << p.first + QLatin1Char('=') + p.second;
            line += QLatin1Char(' ') + ps.join(QLatin1Char(' '));
        }
        if (!e->words.isEmpty())
            line += QLatin1Char(' ') + e->words.join(QLatin1Char('|'));
        for (auto it = e->flags.cbegin(); it != e->flags.cend(); ++it)
            line += QStringLiteral(" %1=%2").arg(it.key(), it.value());
        out << line;
    }
    out << QStringLiteral("env: ") + vars.env().join(QLatin1Char(' '));
    out << QStringLiteral("run: ") + vars.runEnvironment().join(QLatin1Char(' '));
    out << QStringLiteral("unused: ") + vars.unusedBuildArgs().join(QLatin1Char(' '));
    QCOMPARE(out.join(QLatin1Char('\n')), expected);
}

void TestDockerfile::shellCommand() {
    auto df = Dockerfile::parse(QStringLiteral("FROM x\nRUN <<EOF\necho a\nEOF\n"
                                               "RUN cat <<A > /f\nline\nA\nRUN echo plain\n"));
    QVERIFY(df.has_value());
    const auto &ins = df->stages[0].instructions;
    QCOMPARE(ins[0].shellCommand(), QStringLiteral("echo a\n"));
    QCOMPARE(ins[1].shellCommand(), QStringLiteral("cat <<A > /f\nline\nA"));
    QCOMPARE(ins[2].shellCommand(), QStringLiteral("echo plain"));
    QCOMPARE(df->stageIndex(QStringLiteral("0")), 0);
    QCOMPARE(df->stageIndex(QStringLiteral("nope")), -1);
}

void TestDockerfile::durations() {
    QCOMPARE(parseDockerDuration(QStringLiteral("30s")).value(), qint64(30'000'000'000));
    QCOMPARE(parseDockerDuration(QStringLiteral("1m30s")).value(), qint64(90'000'000'000));
    QCOMPARE(parseDockerDuration(QStringLiteral("500ms")).value(), qint64(500'000'000));
    QVERIFY(!parseDockerDuration(QStringLiteral("30")).has_value());
}

QTEST_GUILESS_MAIN(TestDockerfile)
#include "tst_dockerfile.moc"
