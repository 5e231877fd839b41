// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QPair>
#include <QSet>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

namespace Berth::Engine {

// A here-document of RUN/COPY/ADD (`<<EOF`, `<<-EOF`, `<<'EOF'`).
struct DockerfileHeredoc {
    QString name;       // the delimiter word
    QString content;    // the body, each line ending with '\n' (leading tabs gone for <<-)
    bool expand = true; // unquoted delimiter: COPY expands variables in the body
    bool chomp = false; // <<-
    int line = 0;       // where the `<<` marker is
    int column = 0;
};

// What an instruction is: its keyword, parsed once (the builder runs one function per kind).
enum class InstructionKind {
    From,
    Run,
    Cmd,
    Entrypoint,
    Copy,
    Add,
    Env,
    Arg,
    Label,
    Expose,
    Volume,
    User,
    Workdir,
    StopSignal,
    Healthcheck,
    Shell,
    OnBuild,
    Maintainer,
};
// The keyword as Dockerfiles spell it, upper case: "RUN".
QString instructionKeyword(InstructionKind kind);
// The kind a keyword (any case) names; nullopt for an unknown instruction.
std::optional<InstructionKind> instructionKind(const QString &keyword);

// One instruction as written, before variable substitution (which needs the build's ARG/ENV
// values: see DockerfileVariables). Positions are 1-based.
struct DockerfileInstruction {
    InstructionKind kind = InstructionKind::Run;
    QString original; // the instruction line(s) as written, continuations joined
    QString args;     // text after the keyword and its flags (not substituted)
    int line = 0;     // the keyword's line
    int endLine = 0;  // last line, including continuations and heredoc bodies
    int column = 0;   // the keyword's column
    int argsLine = 0; // where `args` starts
    int argsColumn = 0;
    QList<QPair<QString, QString>> flags; // "--from=x" -> ("from", "x"), in order
    bool json = false;                    // exec form (RUN/CMD/ENTRYPOINT/SHELL/VOLUME/COPY/ADD)
    QStringList jsonArgs;
    QList<DockerfileHeredoc> heredocs;
    // ONBUILD: the instruction it wraps, as text ("RUN make").
    QString onbuild;
    // HEALTHCHECK: "NONE" or "CMD" (the command is in json/jsonArgs/args).
    QString healthcheckType;

    QString keyword() const { return instructionKeyword(kind); }
    bool hasFlag(const QString &name) const;
    QString flag(const QString &name) const;
    // The text a shell gets for RUN's shell form: the arguments, and for heredocs that are
    // not the whole command, the heredoc bodies with their delimiters (the shell reads them).
    // For `RUN <<EOF` alone, the heredoc's body is the script.
    QString shellCommand() const;
};

struct DockerfileStage {
    DockerfileInstruction from;
    QString base;                              // image text after FROM, before substitution
    QString name;                              // the AS name, lower case; empty when none
    QString platform;                          // --platform, before substitution
    QList<DockerfileInstruction> instructions; // after FROM
};

// A parsed Dockerfile. Parsing reads only the text: directives (`# escape=`, `# syntax=`),
// comments, continuations, heredocs, instruction keywords, flags and exec (JSON) forms are
// checked here, with errors "<file>:<line>:<column>: <what was expected>". Variable
// substitution happens per stage while building (values depend on build args and the base
// image's environment), with DockerfileVariables.
struct Dockerfile {
    QString fileName = QStringLiteral("Dockerfile");
    QString syntax; // the `# syntax=` directive, recorded only (Berth has one frontend)
    QChar escape = QLatin1Char('\\');
    QList<DockerfileInstruction> globalArgs; // ARGs before the first FROM
    QList<DockerfileStage> stages;

    static Result<Dockerfile> parse(const QString &text,
                                    const QString &fileName = QStringLiteral("Dockerfile"));
    // Index of the stage named (or numbered) `nameOrIndex`; -1 when none.
    int stageIndex(const QString &nameOrIndex) const;
    // "<file>:<line>:<column>: <message>" as an InvalidArgument error.
    Error errorAt(int line, int column, const QString &message) const;
    Error errorAt(const DockerfileInstruction &instruction, const QString &message) const {
        return errorAt(instruction.line, instruction.column, message);
    }
};

// Shell-like word processing Docker applies to the instructions it substitutes in (FROM, COPY,
// ADD, ENV, ARG, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL): quotes, the escape
// character, $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:+x}, ${VAR+x}, ${VAR:?msg}, ${VAR?msg}.
// `lookup` returns std::nullopt for an unset variable.
using VariableLookup = std::function<std::optional<QString>(const QString &name)>;
Result<QString> expandWord(const QString &word, const VariableLookup &lookup,
                           QChar escape = QLatin1Char('\\'));
// Splits at unquoted whitespace, then expands each word (quotes removed).
Result<QStringList> expandWords(const QString &text, const VariableLookup &lookup,
                                QChar escape = QLatin1Char('\\'));
// Names referenced by $VAR/${VAR...} in `text` with the offset of their `$`, outside single
// quotes and escapes.
QList<QPair<QString, int>> variableReferences(const QString &text,
                                              QChar escape = QLatin1Char('\\'));

// The variables of one build as its instructions are evaluated in order: build args, ARGs
// (global and per stage, with defaults) and ENV. ENV wins over ARG, as in Docker.
class DockerfileVariables {
public:
    explicit DockerfileVariables(const Dockerfile &dockerfile,
                                 QMap<QString, QString> buildArgs = {});
    // The global ARGs' values, for FROM lines.
    Result<QString> expandFrom(const DockerfileStage &stage) const;
    Result<QString> expandPlatform(const DockerfileStage &stage) const;
    // Starts a stage whose base image has environment `baseEnv` ("K=V").
    void beginStage(const QStringList &baseEnv);

    // The result of evaluating one instruction in the current stage.
    struct Expanded {
        QStringList words;                    // COPY/ADD/EXPOSE/VOLUME/USER/WORKDIR/STOPSIGNAL
        QList<QPair<QString, QString>> pairs; // ENV, LABEL, ARG (value as resolved)
        QMap<QString, QString> flags;         // flag values, substituted
    };
    // Substitutes in the instructions Docker substitutes in and applies ENV/ARG to the scope.
    // RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK/ONBUILD/MAINTAINER come back with only their flags.
    Result<Expanded> evaluate(const DockerfileInstruction &instruction);

    // ENV of the stage so far (base image's plus ENV instructions), "K=V" in order.
    QStringList env() const { return m_env; }
    // What a RUN sees: env() plus the stage's ARG values ENV does not override.
    QStringList runEnvironment() const;
    // The stage's ARG values (for the cache key: a changed build arg reruns RUN steps).
    QList<QPair<QString, QString>> argValues() const { return m_args; }
    // Build args no ARG declared (Docker warns about them).
    QStringList unusedBuildArgs() const;
    std::optional<QString> value(const QString &name) const;

private:
    const Dockerfile &m_dockerfile;
    QMap<QString, QString> m_buildArgs;
    QHash<QString, QString> m_global; // global ARG values
    QSet<QString> m_globalDeclared;
    QSet<QString> m_usedBuildArgs;
    QStringList m_env;
    QList<QPair<QString, QString>> m_args;
};

} // namespace Berth::Engine
