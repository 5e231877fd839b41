// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/dockerfile.h"
#include "engine/core/textvalues.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Berth::Engine {
namespace {

// Where each piece of a logical (continuation-joined) line came from, to report columns.
struct Segment {
    int offset; // in the logical line
    int line;
    int column; // of the segment's first character
};

struct Position {
    int line;
    int column;
};

Position positionOf(const QList<Segment> &segments, int offset) {
    Segment best = segments.first();
    for (const Segment &s : segments)
        if (s.offset <= offset)
            best = s;
    return {best.line, best.column + (offset - best.offset)};
}

bool isSpace(QChar c) {
    return c == QLatin1Char(' ') || c == QLatin1Char('\t');
}

bool isNameStart(QChar c) {
    return c.isLetter() || c == QLatin1Char('_');
}

bool isNameChar(QChar c) {
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

using Kind = InstructionKind;

struct KindName {
    Kind kind;
    const char *keyword;
};
constexpr KindName kKindNames[] = {
    {Kind::From, "FROM"},
    {Kind::Run, "RUN"},
    {Kind::Cmd, "CMD"},
    {Kind::Entrypoint, "ENTRYPOINT"},
    {Kind::Copy, "COPY"},
    {Kind::Add, "ADD"},
    {Kind::Env, "ENV"},
    {Kind::Arg, "ARG"},
    {Kind::Label, "LABEL"},
    {Kind::Expose, "EXPOSE"},
    {Kind::Volume, "VOLUME"},
    {Kind::User, "USER"},
    {Kind::Workdir, "WORKDIR"},
    {Kind::StopSignal, "STOPSIGNAL"},
    {Kind::Healthcheck, "HEALTHCHECK"},
    {Kind::Shell, "SHELL"},
    {Kind::OnBuild, "ONBUILD"},
    {Kind::Maintainer, "MAINTAINER"},
};

// Flags each instruction accepts (BuildKit's set; the builder refuses what it cannot do).
QStringList allowedFlags(Kind kind) {
    switch (kind) {
    case Kind::From:
        return {QStringLiteral("platform")};
    case Kind::Run:
        return {QStringLiteral("mount"), QStringLiteral("network"), QStringLiteral("security")};
    case Kind::Copy:
        return {QStringLiteral("from"), QStringLiteral("chown"),   QStringLiteral("chmod"),
                QStringLiteral("link"), QStringLiteral("parents"), QStringLiteral("exclude")};
    case Kind::Add:
        return {QStringLiteral("chown"),        QStringLiteral("chmod"),
                QStringLiteral("link"),         QStringLiteral("checksum"),
                QStringLiteral("keep-git-dir"), QStringLiteral("exclude")};
    case Kind::Healthcheck:
        return {QStringLiteral("interval"), QStringLiteral("timeout"),
                QStringLiteral("start-period"), QStringLiteral("start-interval"),
                QStringLiteral("retries")};
    default:
        return {};
    }
}

// The instructions Docker substitutes variables in.
bool substitutes(Kind kind) {
    switch (kind) {
    case Kind::From:
    case Kind::Copy:
    case Kind::Add:
    case Kind::Env:
    case Kind::Arg:
    case Kind::Label:
    case Kind::Expose:
    case Kind::Volume:
    case Kind::User:
    case Kind::Workdir:
    case Kind::StopSignal:
        return true;
    default:
        return false;
    }
}

// Words split at unquoted whitespace, quotes and escapes kept (Docker's parseWords), each with
// its offset in `text`.
QList<QPair<QString, int>> rawWords(const QString &text, QChar escape) {
    QList<QPair<QString, int>> words;
    QString word;
    int start = -1;
    QChar quote;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quote.isNull() && isSpace(c)) {
            if (start >= 0)
                words.append({word, start});
            word.clear();
            start = -1;
            continue;
        }
        if (start < 0)
            start = i;
        word += c;
        if (c == escape && quote != QLatin1Char('\'') && i + 1 < text.size()) {
            word += text[++i];
            continue;
        }
        if (quote.isNull() && (c == QLatin1Char('"') || c == QLatin1Char('\'')))
            quote = c;
        else if (c == quote)
            quote = QChar();
    }
    if (start >= 0)
        words.append({word, start});
    return words;
}

// The exec form: a JSON array of strings. nullopt when the text is not one.
std::optional<QStringList> parseJsonArray(const QString &text) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return std::nullopt;
    QStringList out;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isString())
            return std::nullopt;
        out.append(v.toString());
    }
    return out;
}

// Text that was clearly meant as the exec form but is not valid JSON: `['sh', '-c']`,
// `["a",]`, `["a", 1]`. Shell text such as `[ -f x ] && y` or `[ "$a" = b ]` is not.
bool looksLikeBrokenJson(const QString &text) {
    if (!text.startsWith(QLatin1Char('[')) || !text.endsWith(QLatin1Char(']')))
        return false;
    const QString inner = text.mid(1, text.size() - 2).trimmed();
    if (inner.isEmpty())
        return false;
    if (inner.startsWith(QLatin1Char('\'')))
        return true;
    return inner.startsWith(QLatin1Char('"')) && inner.contains(QLatin1Char(','));
}

// Why `text` is not a JSON array of strings, in words a Dockerfile author can act on.
QString jsonProblem(const QString &text) {
    const QString inner = text.mid(1).trimmed();
    if (inner.startsWith(QLatin1Char('\'')))
        return QStringLiteral("strings must be in double quotes");
    QJsonParseError e;
    QJsonDocument::fromJson(text.toUtf8(), &e);
    if (e.error != QJsonParseError::NoError)
        return QStringLiteral("%1 at offset %2").arg(e.errorString()).arg(e.offset);
    return QStringLiteral("every element must be a string");
}

struct HeredocMarker {
    QString name;
    bool expand = true;
    bool chomp = false;
    int offset = 0; // of "<<" in the args
    int length = 0;
};

// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` words outside quotes (`<<<` is a here-string).
QList<HeredocMarker> heredocMarkers(const QString &args, QChar escape) {
    static const QRegularExpression marker(
        QStringLiteral("^<<(-?)(?:([\"'])([A-Za-z0-9_.-]+)\\2|([A-Za-z0-9_.-]+))"));
    QList<HeredocMarker> out;
    QChar quote;
    for (int i = 0; i < args.size(); ++i) {
        const QChar c = args[i];
        if (c == escape && quote != QLatin1Char('\'')) {
            ++i;
            continue;
        }
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            quote = c;
            continue;
        }
        if (c != QLatin1Char('<') || args.mid(i, 3) == QLatin1String("<<<"))
            continue;
        if (i > 0 && args[i - 1] == QLatin1Char('<'))
            continue;
        const auto m = marker.match(QStringView(args).mid(i));
        if (!m.hasMatch())
            continue;
        HeredocMarker h;
        h.chomp = !m.captured(1).isEmpty();
        h.expand = m.captured(2).isEmpty();
        h.name = h.expand ? m.captured(4) : m.captured(3);
        h.offset = i;
        h.length = int(m.capturedLength(0));
        out.append(h);
        i += h.length - 1;
    }
    return out;
}

QString stripLeadingTabs(const QString &line) {
    int i = 0;
    while (i < line.size() && line[i] == QLatin1Char('\t'))
        ++i;
    return line.mid(i);
}

} // namespace

QString instructionKeyword(InstructionKind kind) {
    for (const KindName &k : kKindNames)
        if (k.kind == kind)
            return QLatin1String(k.keyword);
    return {};
}

std::optional<InstructionKind> instructionKind(const QString &keyword) {
    for (const KindName &k : kKindNames)
        if (keyword.compare(QLatin1String(k.keyword), Qt::CaseInsensitive) == 0)
            return k.kind;
    return std::nullopt;
}

bool DockerfileInstruction::hasFlag(const QString &name) const {
    for (const auto &f : flags)
        if (f.first == name)
            return true;
    return false;
}

QString DockerfileInstruction::flag(const QString &name) const {
    for (const auto &f : flags)
        if (f.first == name)
            return f.second;
    return {};
}

QString DockerfileInstruction::shellCommand() const {
    if (heredocs.isEmpty())
        return args;
    const QString marker = args.trimmed();
    if (heredocs.size() == 1 && marker.startsWith(QLatin1String("<<")) &&
        !marker.contains(QLatin1Char(' ')))
        return heredocs.first().content;
    QString text = args;
    for (const DockerfileHeredoc &h : heredocs) {
        text += QLatin1Char('\n') + h.content + h.name;
    }
    return text;
}

Error Dockerfile::errorAt(int line, int column, const QString &message) const {
    return Error{ErrorKind::InvalidArgument,
                 QStringLiteral("%1:%2:%3: %4").arg(fileName).arg(line).arg(column).arg(message)};
}

int Dockerfile::stageIndex(const QString &nameOrIndex) const {
    const QString lower = nameOrIndex.toLower();
    for (int i = 0; i < stages.size(); ++i)
        if (!stages[i].name.isEmpty() && stages[i].name == lower)
            return i;
    bool ok = false;
    const int index = nameOrIndex.toInt(&ok);
    return ok && index >= 0 && index < stages.size() ? index : -1;
}

namespace {

class Parser {
public:
    Parser(const QString &text, const QString &fileName) {
        m_df.fileName = fileName;
        QString t = text;
        if (t.startsWith(QChar(0xfeff)))
            t.remove(0, 1);
        m_lines = t.split(QLatin1Char('\n'));
        for (QString &l : m_lines)
            if (l.endsWith(QLatin1Char('\r')))
                l.chop(1);
    }

    Result<Dockerfile> run();

private:
    Status directives();
    Result<DockerfileInstruction> instruction();
    // One instruction's text after its keyword while it is parsed, with where it is (errors
    // name line and column).
    struct Body {
        DockerfileInstruction &ins;
        const QList<Segment> &segments;
        int restOffset; // of the text after the keyword, in the logical line
        QString args;   // after the flags
        int argsOffset; // of `args`, in the text after the keyword
        Position at(int offsetInRest) const {
            return positionOf(segments, restOffset + offsetInRest);
        }
        Error errorAt(const Parser &p, int offsetInRest, const QString &message) const {
            const Position pos = at(offsetInRest);
            return p.errorAt(pos.line, pos.column, message);
        }
        Status argsError(const Parser &p, const QString &message) const {
            return fail(errorAt(p, argsOffset, message));
        }
    };
    enum class ShellForm { Allowed, Refused };
    Status parseBody(DockerfileInstruction &ins, const QString &rest, int restOffset,
                     const QList<Segment> &segments, bool nested);
    Result<int> parseFlags(Body &b, const QString &rest);
    Status readHeredocs(Body &b);
    Status checkArguments(Body &b);
    Status execForm(Body &b, ShellForm shell);
    Status checkShell(Body &b);
    Status checkCopy(Body &b);
    Status checkKeyValues(Body &b);
    Status checkArgNames(Body &b);
    Status checkHealthcheck(Body &b);
    Status checkOnBuild(Body &b);
    Status checkVariables();

    Error errorAt(int line, int column, const QString &message) const {
        return m_df.errorAt(line, column, message);
    }

    Dockerfile m_df;
    QStringList m_lines;
    int m_next = 0; // index of the next unread line
};

Status Parser::directives() {
    static const QRegularExpression re(
        QStringLiteral("^#\\s*([A-Za-z][A-Za-z0-9_-]*)\\s*=\\s*(.*?)\\s*$"));
    QSet<QString> seen;
    while (m_next < m_lines.size()) {
        const auto m = re.match(m_lines[m_next]);
        if (!m.hasMatch())
            return {};
        const QString name = m.captured(1).toLower();
        if (name != QLatin1String("escape") && name != QLatin1String("syntax") &&
            name != QLatin1String("check"))
            return {}; // an ordinary comment ends the directives
        if (seen.contains(name))
            return fail(
                errorAt(m_next + 1, 1,
                        QStringLiteral("only one \"%1\" parser directive can be used").arg(name)));
        seen.insert(name);
        const QString value = m.captured(2);
        if (name == QLatin1String("escape")) {
            if (value != QLatin1String("\\") && value != QLatin1String("`"))
                return fail(
                    errorAt(m_next + 1, int(m.capturedStart(2)) + 1,
                            QStringLiteral("invalid escape character \"%1\": expected \\ or `")
                                .arg(value)));
            m_df.escape = value[0];
        } else if (name == QLatin1String("syntax")) {
            m_df.syntax = value;
        }
        ++m_next;
    }
    return {};
}

Result<Dockerfile> Parser::run() {
    if (auto st = directives(); !st)
        return fail(st.error());
    bool sawFrom = false;
    while (true) {
        // Skip blank lines and comments between instructions.
        while (m_next < m_lines.size()) {
            const QString t = m_lines[m_next].trimmed();
            if (!t.isEmpty() && !t.startsWith(QLatin1Char('#')))
                break;
            ++m_next;
        }
        if (m_next >= m_lines.size())
            break;
        auto ins = instruction();
        if (!ins)
            return fail(ins.error());
        if (ins->kind == Kind::From) {
            DockerfileStage stage;
            stage.platform = ins->flag(QStringLiteral("platform"));
            const auto words = rawWords(ins->args, m_df.escape);
            const bool one = words.size() == 1;
            const bool three =
                words.size() == 3 &&
                words[1].first.compare(QLatin1String("AS"), Qt::CaseInsensitive) == 0;
            if (!one && !three)
                return fail(errorAt(ins->argsLine, ins->argsColumn,
                                    QStringLiteral("FROM expects \"FROM image [AS name]\"")));
            stage.base = words[0].first;
            if (three) {
                static const QRegularExpression nameRe(QStringLiteral("^[a-z][a-z0-9_.-]*$"));
                stage.name = words[2].first.toLower();
                if (!nameRe.match(stage.name).hasMatch())
                    return fail(errorAt(ins->argsLine, ins->argsColumn + words[2].second,
                                        QStringLiteral("invalid stage name \"%1\": expected a "
                                                       "letter followed by letters, digits, "
                                                       "'_', '-' or '.'")
                                            .arg(words[2].first)));
                for (const DockerfileStage &other : std::as_const(m_df.stages))
                    if (other.name == stage.name)
                        return fail(
                            errorAt(ins->argsLine, ins->argsColumn + words[2].second,
                                    QStringLiteral("duplicate stage name \"%1\"").arg(stage.name)));
            }
            stage.from = *ins;
            m_df.stages.append(stage);
            sawFrom = true;
        } else if (!sawFrom) {
            if (ins->kind != Kind::Arg)
                return fail(errorAt(ins->line, ins->column,
                                    QStringLiteral("%1 before the first FROM: only ARG may "
                                                   "come before FROM")
                                        .arg(ins->keyword())));
            m_df.globalArgs.append(*ins);
        } else {
            m_df.stages.last().instructions.append(*ins);
        }
    }
    if (m_df.stages.isEmpty())
        return fail(errorAt(qMax(1, int(m_lines.size())), 1,
                            QStringLiteral("no FROM instruction: a Dockerfile needs at least "
                                           "one stage")));
    if (auto st = checkVariables(); !st)
        return fail(st.error());
    return m_df;
}

Result<DockerfileInstruction> Parser::instruction() {
    const QChar esc = m_df.escape;
    DockerfileInstruction ins;
    QString logical;
    QList<Segment> segments;
    int last = m_next;
    auto endsWithEscape = [&](const QString &l) {
        QString t = l;
        while (!t.isEmpty() && isSpace(t.back()))
            t.chop(1);
        return t.endsWith(esc) ? std::optional<QString>(t.left(t.size() - 1)) : std::nullopt;
    };
    bool firstLine = true;
    while (m_next < m_lines.size()) {
        const QString l = m_lines[m_next];
        if (!firstLine) {
            const QString t = l.trimmed();
            // Comments inside a continuation are dropped; so are empty lines (Docker warns).
            if (t.startsWith(QLatin1Char('#')) || t.isEmpty()) {
                ++m_next;
                continue;
            }
        }
        firstLine = false;
        last = m_next;
        const auto cont = endsWithEscape(l);
        segments.append({int(logical.size()), m_next + 1, 1});
        logical += cont ? *cont : l;
        ++m_next;
        if (!cont)
            break;
    }
    // Leading whitespace before the keyword.
    int pos = 0;
    while (pos < logical.size() && isSpace(logical[pos]))
        ++pos;
    int kwEnd = pos;
    while (kwEnd < logical.size() && !isSpace(logical[kwEnd]))
        ++kwEnd;
    const QString word = logical.mid(pos, kwEnd - pos);
    const Position kwPos = positionOf(segments, pos);
    const auto kind = instructionKind(word);
    if (!kind)
        return fail(errorAt(kwPos.line, kwPos.column,
                            QStringLiteral("unknown instruction \"%1\"").arg(word)));
    ins.kind = *kind;
    ins.line = kwPos.line;
    ins.column = kwPos.column;
    ins.original = logical.mid(pos).trimmed();
    int restStart = kwEnd;
    while (restStart < logical.size() && isSpace(logical[restStart]))
        ++restStart;
    QString rest = logical.mid(restStart);
    while (!rest.isEmpty() && isSpace(rest.back()))
        rest.chop(1);
    ins.endLine = last + 1;
    if (auto st = parseBody(ins, rest, restStart, segments, false); !st)
        return fail(st.error());
    return ins;
}

// Flags, heredocs, exec form and per-instruction argument checks. `rest` starts at offset
// `restOffset` of the logical line described by `segments`.
Status Parser::parseBody(DockerfileInstruction &ins, const QString &rest, int restOffset,
                         const QList<Segment> &segments, bool nested) {
    Body b{ins, segments, restOffset, {}, 0};
    auto flagsEnd = parseFlags(b, rest);
    if (!flagsEnd)
        return fail(flagsEnd.error());
    b.args = rest.mid(*flagsEnd);
    b.argsOffset = *flagsEnd;
    const Position argsPos = b.at(b.argsOffset);
    ins.args = b.args;
    ins.argsLine = argsPos.line;
    ins.argsColumn = argsPos.column;
    const bool heredocs = ins.kind == Kind::Run || ins.kind == Kind::Copy || ins.kind == Kind::Add;
    if (!nested && heredocs)
        if (auto st = readHeredocs(b); !st)
            return st;
    return checkArguments(b);
}

// Leading "--name[=value]" words; returns the offset in `rest` after them.
Result<int> Parser::parseFlags(Body &b, const QString &rest) {
    const QChar esc = m_df.escape;
    DockerfileInstruction &ins = b.ins;
    const QString kw = ins.keyword();
    const QStringList allowed = allowedFlags(ins.kind);
    int i = 0;
    while (i < rest.size() && rest.mid(i, 2) == QLatin1String("--")) {
        int end = i;
        QChar quote;
        while (end < rest.size() && (!quote.isNull() || !isSpace(rest[end]))) {
            if (rest[end] == esc && end + 1 < rest.size()) {
                end += 2;
                continue;
            }
            if (quote.isNull() && (rest[end] == QLatin1Char('"') || rest[end] == QLatin1Char('\'')))
                quote = rest[end];
            else if (rest[end] == quote)
                quote = QChar();
            ++end;
        }
        const QString flag = rest.mid(i + 2, end - i - 2);
        if (flag.isEmpty()) // "--" alone ends the flags
            break;
        const qsizetype eq = flag.indexOf(QLatin1Char('='));
        const QString name = eq < 0 ? flag : flag.left(eq);
        QString value = eq < 0 ? QString() : flag.mid(eq + 1);
        if (value.size() >= 2 &&
            (value.startsWith(QLatin1Char('"')) || value.startsWith(QLatin1Char('\''))) &&
            value.back() == value.front())
            value = value.mid(1, value.size() - 2);
        if (!allowed.contains(name))
            return fail(
                b.errorAt(*this, i,
                          allowed.isEmpty()
                              ? QStringLiteral("%1 takes no flags, got \"--%2\"").arg(kw, name)
                              : QStringLiteral("unknown flag \"--%1\" for %2: expected one of --%3")
                                    .arg(name, kw, allowed.join(QStringLiteral(", --")))));
        if (ins.hasFlag(name) && name != QLatin1String("mount") && name != QLatin1String("exclude"))
            return fail(b.errorAt(*this, i, QStringLiteral("duplicate flag \"--%1\"").arg(name)));
        if (eq < 0 && name != QLatin1String("link") && name != QLatin1String("parents") &&
            name != QLatin1String("keep-git-dir"))
            return fail(b.errorAt(
                *this, i, QStringLiteral("flag \"--%1\" needs a value (--%1=VALUE)").arg(name)));
        ins.flags.append({name, value});
        i = end;
        while (i < rest.size() && isSpace(rest[i]))
            ++i;
    }
    return i;
}

// Heredocs: bodies follow the instruction, in the order of their markers.
Status Parser::readHeredocs(Body &b) {
    for (const HeredocMarker &m : heredocMarkers(b.args, m_df.escape)) {
        DockerfileHeredoc h;
        h.name = m.name;
        h.expand = m.expand;
        h.chomp = m.chomp;
        const Position p = b.at(b.argsOffset + m.offset);
        h.line = p.line;
        h.column = p.column;
        bool closed = false;
        while (m_next < m_lines.size()) {
            QString l = m_lines[m_next++];
            if (m.chomp)
                l = stripLeadingTabs(l);
            if (l == m.name) {
                closed = true;
                break;
            }
            h.content += l + QLatin1Char('\n');
        }
        if (!closed)
            return fail(errorAt(p.line, p.column,
                                QStringLiteral("unterminated heredoc \"%1\" (started here): "
                                               "expected a line \"%1\" to end it")
                                    .arg(m.name)));
        b.ins.endLine = m_next;
        b.ins.heredocs.append(h);
    }
    return {};
}

Status Parser::checkArguments(Body &b) {
    if (b.args.isEmpty())
        return b.argsError(
            *this, QStringLiteral("%1 requires at least one argument").arg(b.ins.keyword()));
    switch (b.ins.kind) {
    case Kind::From:
    case Kind::Expose:
    case Kind::Maintainer:
        return {};
    case Kind::Run:
    case Kind::Cmd:
    case Kind::Entrypoint:
    case Kind::Volume:
        return execForm(b, ShellForm::Allowed);
    case Kind::Shell:
        return checkShell(b);
    case Kind::Copy:
    case Kind::Add:
        return checkCopy(b);
    case Kind::Env:
    case Kind::Label:
        return checkKeyValues(b);
    case Kind::Arg:
        return checkArgNames(b);
    case Kind::User:
    case Kind::StopSignal:
        if (rawWords(b.args, m_df.escape).size() != 1)
            return b.argsError(
                *this, QStringLiteral("%1 requires exactly one argument").arg(b.ins.keyword()));
        return {};
    case Kind::Workdir:
        return {};
    case Kind::Healthcheck:
        return checkHealthcheck(b);
    case Kind::OnBuild:
        return checkOnBuild(b);
    }
    return {};
}

// The exec form (a JSON array of strings); with ShellForm::Allowed, other text is the shell
// form unless it was clearly meant as JSON.
Status Parser::execForm(Body &b, ShellForm shell) {
    const QString &args = b.args;
    if (args.startsWith(QLatin1Char('['))) {
        if (auto json = parseJsonArray(args)) {
            b.ins.json = true;
            b.ins.jsonArgs = *json;
            return {};
        }
        if (shell == ShellForm::Refused || looksLikeBrokenJson(args))
            return b.argsError(*this, QStringLiteral("invalid JSON array for %1: %2 (expected "
                                                     "[\"executable\", \"arg\", ...])")
                                          .arg(b.ins.keyword(), jsonProblem(args)));
    } else if (shell == ShellForm::Refused) {
        return b.argsError(*this, QStringLiteral("%1 requires the arguments in JSON form: "
                                                 "[\"executable\", \"arg\", ...]")
                                      .arg(b.ins.keyword()));
    }
    return {};
}

Status Parser::checkShell(Body &b) {
    if (auto st = execForm(b, ShellForm::Refused); !st)
        return st;
    if (b.ins.jsonArgs.isEmpty())
        return b.argsError(*this, QStringLiteral("SHELL requires at least the shell's executable"));
    return {};
}

Status Parser::checkCopy(Body &b) {
    if (b.args.startsWith(QLatin1Char('[')))
        if (auto st = execForm(b, ShellForm::Allowed); !st)
            return st;
    const qsizetype count =
        b.ins.json ? b.ins.jsonArgs.size() : rawWords(b.args, m_df.escape).size();
    if (count < 2)
        return b.argsError(*this, QStringLiteral("%1 requires at least two arguments: source(s) "
                                                 "and destination")
                                      .arg(b.ins.keyword()));
    return {};
}

// ENV and LABEL: `key=value ...`, or the legacy `key the rest of the line`.
Status Parser::checkKeyValues(Body &b) {
    const QString kw = b.ins.keyword();
    const auto ws = rawWords(b.args, m_df.escape);
    if (!ws.first().first.contains(QLatin1Char('='))) {
        if (ws.size() < 2)
            return b.argsError(*this, QStringLiteral("%1 \"%2\" has no value: expected %1 "
                                                     "key=value or %1 key value")
                                          .arg(kw, ws.first().first));
        return {};
    }
    for (const auto &w : ws)
        if (!w.first.contains(QLatin1Char('=')) || w.first.startsWith(QLatin1Char('=')))
            return fail(
                b.errorAt(*this, b.argsOffset + w.second,
                          QStringLiteral("%1: expected key=value, got \"%2\"").arg(kw, w.first)));
    return {};
}

Status Parser::checkArgNames(Body &b) {
    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    for (const auto &w : rawWords(b.args, m_df.escape)) {
        const QString name = w.first.section(QLatin1Char('='), 0, 0);
        if (!nameRe.match(name).hasMatch())
            return fail(b.errorAt(*this, b.argsOffset + w.second,
                                  QStringLiteral("invalid ARG name \"%1\": expected letters, "
                                                 "digits and '_'")
                                      .arg(name)));
    }
    return {};
}

// HEALTHCHECK NONE, or HEALTHCHECK [flags] CMD <command as CMD takes it>.
Status Parser::checkHealthcheck(Body &b) {
    DockerfileInstruction &ins = b.ins;
    const QString args = b.args;
    int end = 0;
    while (end < args.size() && !isSpace(args[end]))
        ++end;
    const QString type = args.left(end).toUpper();
    const QString cmd = args.mid(end).trimmed();
    if (type == QLatin1String("NONE")) {
        if (!cmd.isEmpty() || !ins.flags.isEmpty())
            return b.argsError(*this,
                               QStringLiteral("HEALTHCHECK NONE takes no arguments or flags"));
        ins.healthcheckType = type;
        return {};
    }
    if (type != QLatin1String("CMD"))
        return b.argsError(
            *this,
            QStringLiteral("HEALTHCHECK expects NONE or CMD, got \"%1\"").arg(args.left(end)));
    if (cmd.isEmpty())
        return b.argsError(*this, QStringLiteral("HEALTHCHECK CMD requires a command"));
    for (const auto &f : std::as_const(ins.flags)) {
        if (f.first == QLatin1String("retries")) {
            bool ok = false;
            const int n = f.second.toInt(&ok);
            if (!ok || n < 0)
                return fail(b.errorAt(*this, 0,
                                      QStringLiteral("HEALTHCHECK --retries: expected a "
                                                     "non-negative number, got \"%1\"")
                                          .arg(f.second)));
        } else if (auto d = parseDockerDuration(f.second); !d) {
            return fail(b.errorAt(
                *this, 0, QStringLiteral("HEALTHCHECK --%1: %2").arg(f.first, d.error().message)));
        }
    }
    ins.healthcheckType = type;
    // The command is parsed like CMD's.
    const int cmdOffset = b.argsOffset + int(args.indexOf(cmd, end));
    ins.args = cmd;
    const Position cp = b.at(cmdOffset);
    ins.argsLine = cp.line;
    ins.argsColumn = cp.column;
    if (cmd.startsWith(QLatin1Char('['))) {
        if (auto json = parseJsonArray(cmd)) {
            ins.json = true;
            ins.jsonArgs = *json;
        } else if (looksLikeBrokenJson(cmd)) {
            return fail(b.errorAt(*this, cmdOffset,
                                  QStringLiteral("invalid JSON array for HEALTHCHECK CMD: %1 "
                                                 "(expected [\"executable\", \"arg\", ...])")
                                      .arg(jsonProblem(cmd))));
        }
    }
    return {};
}

// ONBUILD <instruction>: the wrapped instruction is checked as if it stood alone.
Status Parser::checkOnBuild(Body &b) {
    const QString &args = b.args;
    int end = 0;
    while (end < args.size() && !isSpace(args[end]))
        ++end;
    const QString word = args.left(end);
    const auto kind = instructionKind(word);
    if (kind == Kind::OnBuild || kind == Kind::From || kind == Kind::Maintainer)
        return b.argsError(
            *this, QStringLiteral("%1 isn't allowed as an ONBUILD trigger").arg(word.toUpper()));
    if (!kind)
        return b.argsError(*this,
                           QStringLiteral("unknown instruction \"%1\" in ONBUILD").arg(word));
    DockerfileInstruction inner;
    inner.kind = *kind;
    const Position ip = b.at(b.argsOffset);
    inner.line = ip.line;
    inner.column = ip.column;
    int innerStart = end;
    while (innerStart < args.size() && isSpace(args[innerStart]))
        ++innerStart;
    if (auto st = parseBody(inner, args.mid(innerStart), b.restOffset + b.argsOffset + innerStart,
                            b.segments, true);
        !st)
        return st;
    b.ins.onbuild = args;
    return {};
}

// Docker substitutes an ARG only after its declaration; a reference before it (in the stage,
// or in FROM before a global ARG) is a mistake that silently yields "".
Status Parser::checkVariables() {
    const QChar esc = m_df.escape;
    auto check = [&](const DockerfileInstruction &ins, const QSet<QString> &known,
                     const QSet<QString> &later) -> Status {
        if (!substitutes(ins.kind))
            return {};
        QString text = ins.args;
        QList<QPair<QString, int>> refs = variableReferences(text, esc);
        for (const auto &f : ins.flags)
            for (const auto &r : variableReferences(f.second, esc))
                refs.append({r.first, 0});
        for (const auto &[name, offset] : refs) {
            if (known.contains(name) || !later.contains(name))
                continue;
            // Columns are exact for single-line arguments, else the start of the arguments.
            const bool single =
                ins.argsLine == ins.line && !ins.original.contains(QLatin1Char('\n'));
            return fail(errorAt(ins.argsLine, ins.argsColumn + (single ? offset : 0),
                                QStringLiteral("ARG \"%1\" used before it is defined").arg(name)));
        }
        return {};
    };
    auto declared = [&](const DockerfileInstruction &ins) {
        QStringList names;
        if (ins.kind == Kind::Arg) {
            for (const auto &w : rawWords(ins.args, esc))
                names.append(w.first.section(QLatin1Char('='), 0, 0));
        } else if (ins.kind == Kind::Env) {
            const auto ws = rawWords(ins.args, esc);
            if (!ws.isEmpty() && !ws.first().first.contains(QLatin1Char('=')))
                names.append(ws.first().first);
            else
                for (const auto &w : ws)
                    names.append(w.first.section(QLatin1Char('='), 0, 0));
        }
        return names;
    };
    // Global ARGs, then each FROM against them.
    QSet<QString> allGlobal;
    for (const auto &a : std::as_const(m_df.globalArgs))
        for (const QString &n : declared(a))
            allGlobal.insert(n);
    QSet<QString> known;
    QSet<QString> remaining = allGlobal;
    for (const auto &a : std::as_const(m_df.globalArgs)) {
        if (auto st = check(a, known, remaining); !st)
            return st;
        for (const QString &n : declared(a))
            known.insert(n);
    }
    for (const DockerfileStage &stage : std::as_const(m_df.stages)) {
        if (auto st = check(stage.from, allGlobal, {}); !st)
            return st;
        QSet<QString> laterArgs;
        for (const auto &ins : stage.instructions)
            if (ins.kind == Kind::Arg)
                for (const QString &n : declared(ins))
                    laterArgs.insert(n);
        QSet<QString> stageKnown;
        for (const auto &ins : stage.instructions) {
            if (auto st = check(ins, stageKnown, laterArgs); !st)
                return st;
            for (const QString &n : declared(ins))
                stageKnown.insert(n);
        }
    }
    return {};
}

} // namespace

Result<Dockerfile> Dockerfile::parse(const QString &text, const QString &fileName) {
    Parser parser(text, fileName);
    return parser.run();
}

// ---- word expansion ----

namespace {

class Expander {
public:
    Expander(const QString &text, const VariableLookup &lookup, QChar escape)
        : m_text(text)
        , m_lookup(lookup)
        , m_escape(escape) {}

    // Processes until the end, or (inside ${...:-word}) until an unmatched '}'.
    Result<QString> word(bool inBraces) {
        QString out;
        while (m_pos < m_text.size()) {
            const QChar c = m_text[m_pos];
            if (inBraces && c == QLatin1Char('}'))
                return out;
            if (c == QLatin1Char('\'')) {
                const qsizetype end = m_text.indexOf(QLatin1Char('\''), m_pos + 1);
                if (end < 0)
                    return fail(ErrorKind::InvalidArgument,
                                QStringLiteral("unterminated single quote"));
                out += m_text.mid(m_pos + 1, end - m_pos - 1);
                m_pos = int(end) + 1;
            } else if (c == QLatin1Char('"')) {
                ++m_pos;
                bool closed = false;
                while (m_pos < m_text.size()) {
                    const QChar d = m_text[m_pos];
                    if (d == QLatin1Char('"')) {
                        closed = true;
                        ++m_pos;
                        break;
                    }
                    if (d == m_escape && m_pos + 1 < m_text.size()) {
                        const QChar n = m_text[m_pos + 1];
                        if (n == QLatin1Char('"') || n == QLatin1Char('$') || n == m_escape)
                            out += n;
                        else
                            out += QString(d) + n;
                        m_pos += 2;
                    } else if (d == QLatin1Char('$')) {
                        auto v = dollar();
                        if (!v)
                            return v;
                        out += *v;
                    } else {
                        out += d;
                        ++m_pos;
                    }
                }
                if (!closed)
                    return fail(ErrorKind::InvalidArgument,
                                QStringLiteral("unterminated double quote"));
            } else if (c == m_escape) {
                if (m_pos + 1 < m_text.size())
                    out += m_text[m_pos + 1];
                m_pos += 2;
            } else if (c == QLatin1Char('$')) {
                auto v = dollar();
                if (!v)
                    return v;
                out += *v;
            } else {
                out += c;
                ++m_pos;
            }
        }
        if (inBraces)
            return fail(ErrorKind::InvalidArgument, QStringLiteral("missing '}'"));
        return out;
    }

private:
    Result<QString> dollar() {
        ++m_pos; // '$'
        if (m_pos >= m_text.size())
            return QStringLiteral("$");
        if (m_text[m_pos] == QLatin1Char('{')) {
            ++m_pos;
            const int start = m_pos;
            while (m_pos < m_text.size() && isNameChar(m_text[m_pos]))
                ++m_pos;
            const QString name = m_text.mid(start, m_pos - start);
            if (name.isEmpty())
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("bad substitution: expected a variable name after "
                                           "\"${\""));
            if (m_pos >= m_text.size())
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("missing '}' in \"${%1\"").arg(name));
            const std::optional<QString> value = m_lookup(name);
            QChar c = m_text[m_pos];
            if (c == QLatin1Char('}')) {
                ++m_pos;
                return value.value_or(QString());
            }
            bool colon = false;
            if (c == QLatin1Char(':')) {
                colon = true;
                ++m_pos;
                if (m_pos >= m_text.size())
                    return fail(ErrorKind::InvalidArgument,
                                QStringLiteral("missing '}' in \"${%1:\"").arg(name));
                c = m_text[m_pos];
            }
            if (c != QLatin1Char('-') && c != QLatin1Char('+') && c != QLatin1Char('?'))
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("unsupported modifier \"%1\" in ${%2}: expected :-, "
                                           "-, :+, +, :? or ?")
                                .arg(QString(colon ? QStringLiteral(":") : QString()) + c, name));
            ++m_pos;
            auto word = this->word(true);
            if (!word)
                return word;
            ++m_pos; // '}'
            const bool set = value.has_value() && (!colon || !value->isEmpty());
            if (c == QLatin1Char('-'))
                return set ? *value : *word;
            if (c == QLatin1Char('+'))
                return set ? *word : QString();
            if (!set)
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("%1: %2").arg(
                                name, word->isEmpty() ? QStringLiteral("is not set") : *word));
            return *value;
        }
        if (!isNameStart(m_text[m_pos]))
            return QStringLiteral("$");
        const int start = m_pos;
        while (m_pos < m_text.size() && isNameChar(m_text[m_pos]))
            ++m_pos;
        return m_lookup(m_text.mid(start, m_pos - start)).value_or(QString());
    }

    const QString &m_text;
    const VariableLookup &m_lookup;
    QChar m_escape;
    int m_pos = 0;
};

} // namespace

Result<QString> expandWord(const QString &word, const VariableLookup &lookup, QChar escape) {
    Expander e(word, lookup, escape);
    return e.word(false);
}

Result<QStringList> expandWords(const QString &text, const VariableLookup &lookup, QChar escape) {
    QStringList out;
    for (const auto &w : rawWords(text, escape)) {
        auto v = expandWord(w.first, lookup, escape);
        if (!v)
            return fail(v.error());
        out.append(*v);
    }
    return out;
}

QList<QPair<QString, int>> variableReferences(const QString &text, QChar escape) {
    QList<QPair<QString, int>> out;
    bool single = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (single) {
            if (c == QLatin1Char('\''))
                single = false;
            continue;
        }
        if (c == QLatin1Char('\'')) {
            single = true;
        } else if (c == escape) {
            ++i;
        } else if (c == QLatin1Char('$') && i + 1 < text.size()) {
            int j = i + 1;
            if (text[j] == QLatin1Char('{'))
                ++j;
            int k = j;
            while (k < text.size() && isNameChar(text[k]))
                ++k;
            if (k > j && isNameStart(text[j]))
                out.append({text.mid(j, k - j), i});
        }
    }
    return out;
}

// ---- variables ----

DockerfileVariables::DockerfileVariables(const Dockerfile &dockerfile,
                                         QMap<QString, QString> buildArgs)
    : m_dockerfile(dockerfile)
    , m_buildArgs(std::move(buildArgs)) {
    for (const DockerfileInstruction &ins : dockerfile.globalArgs) {
        for (const auto &w : rawWords(ins.args, dockerfile.escape)) {
            const QString name = w.first.section(QLatin1Char('='), 0, 0);
            m_globalDeclared.insert(name);
            if (m_buildArgs.contains(name)) {
                m_global.insert(name, m_buildArgs.value(name));
                m_usedBuildArgs.insert(name);
            } else if (w.first.contains(QLatin1Char('='))) {
                const auto lookup = [this](const QString &n) -> std::optional<QString> {
                    if (m_global.contains(n))
                        return m_global.value(n);
                    return std::nullopt;
                };
                auto v =
                    expandWord(w.first.section(QLatin1Char('='), 1), lookup, dockerfile.escape);
                m_global.insert(name, v.value_or(QString()));
            }
        }
    }
}

Result<QString> DockerfileVariables::expandFrom(const DockerfileStage &stage) const {
    const auto lookup = [this](const QString &n) -> std::optional<QString> {
        if (m_global.contains(n))
            return m_global.value(n);
        return std::nullopt;
    };
    auto v = expandWord(stage.base, lookup, m_dockerfile.escape);
    if (!v)
        return fail(
            m_dockerfile.errorAt(stage.from.argsLine, stage.from.argsColumn, v.error().message));
    if (v->isEmpty())
        return fail(m_dockerfile.errorAt(stage.from.argsLine, stage.from.argsColumn,
                                         QStringLiteral("FROM \"%1\" names no image after "
                                                        "substitution")
                                             .arg(stage.base)));
    return v;
}

Result<QString> DockerfileVariables::expandPlatform(const DockerfileStage &stage) const {
    const auto lookup = [this](const QString &n) -> std::optional<QString> {
        if (m_global.contains(n))
            return m_global.value(n);
        return std::nullopt;
    };
    auto v = expandWord(stage.platform, lookup, m_dockerfile.escape);
    if (!v)
        return fail(m_dockerfile.errorAt(stage.from, v.error().message));
    return v;
}

void DockerfileVariables::beginStage(const QStringList &baseEnv) {
    m_env = baseEnv;
    m_args.clear();
}

std::optional<QString> DockerfileVariables::value(const QString &name) const {
    const QString prefix = name + QLatin1Char('=');
    for (qsizetype i = m_env.size() - 1; i >= 0; --i)
        if (m_env[i].startsWith(prefix))
            return m_env[i].mid(prefix.size());
    for (qsizetype i = m_args.size() - 1; i >= 0; --i)
        if (m_args[i].first == name)
            return m_args[i].second;
    return std::nullopt;
}

QStringList DockerfileVariables::runEnvironment() const {
    QStringList out = m_env;
    for (const auto &[name, value] : m_args) {
        const QString prefix = name + QLatin1Char('=');
        bool shadowed = false;
        for (const QString &e : m_env)
            shadowed = shadowed || e.startsWith(prefix);
        if (!shadowed)
            out.append(prefix + value);
    }
    return out;
}

QStringList DockerfileVariables::unusedBuildArgs() const {
    QStringList out;
    for (auto it = m_buildArgs.cbegin(); it != m_buildArgs.cend(); ++it)
        if (!m_usedBuildArgs.contains(it.key()))
            out.append(it.key());
    return out;
}

Result<DockerfileVariables::Expanded>
DockerfileVariables::evaluate(const DockerfileInstruction &ins) {
    const QChar esc = m_dockerfile.escape;
    Expanded out;
    const VariableLookup lookup = [this](const QString &n) { return value(n); };
    auto err = [&](const Error &e) { return fail(m_dockerfile.errorAt(ins, e.message)); };
    const InstructionKind kind = ins.kind;
    const bool subst = substitutes(kind);
    for (const auto &[name, v] : ins.flags) {
        if (!subst) {
            out.flags.insert(name, v);
            continue;
        }
        auto e = expandWord(v, lookup, esc);
        if (!e)
            return err(e.error());
        out.flags.insert(name, *e);
    }
    if (!subst)
        return out;

    if (kind == Kind::Env || kind == Kind::Label) {
        const auto ws = rawWords(ins.args, esc);
        if (!ws.first().first.contains(QLatin1Char('='))) {
            // Legacy form: "ENV key the rest of the line".
            auto key = expandWord(ws.first().first, lookup, esc);
            auto val = expandWord(ins.args.mid(ws[1].second), lookup, esc);
            if (!key)
                return err(key.error());
            if (!val)
                return err(val.error());
            out.pairs.append({*key, *val});
        } else {
            for (const auto &w : ws) {
                auto e = expandWord(w.first, lookup, esc);
                if (!e)
                    return err(e.error());
                const qsizetype eq = e->indexOf(QLatin1Char('='));
                out.pairs.append({e->left(eq), e->mid(eq + 1)});
            }
        }
        if (kind == Kind::Env) {
            for (const auto &[k, v] : std::as_const(out.pairs)) {
                const QString prefix = k + QLatin1Char('=');
                m_env.erase(std::remove_if(m_env.begin(), m_env.end(),
                                           [&](const QString &e) { return e.startsWith(prefix); }),
                            m_env.end());
                m_env.append(prefix + v);
            }
        }
        return out;
    }
    if (kind == Kind::Arg) {
        for (const auto &w : rawWords(ins.args, esc)) {
            const QString name = w.first.section(QLatin1Char('='), 0, 0);
            std::optional<QString> v;
            if (m_buildArgs.contains(name)) {
                v = m_buildArgs.value(name);
                m_usedBuildArgs.insert(name);
            } else if (w.first.contains(QLatin1Char('='))) {
                auto e = expandWord(w.first.section(QLatin1Char('='), 1), lookup, esc);
                if (!e)
                    return err(e.error());
                v = *e;
            } else if (m_global.contains(name)) {
                v = m_global.value(name); // re-declared global ARG
            }
            // An ARG without any value is declared but unset (substitutes as "").
            m_args.append({name, v.value_or(QString())});
            out.pairs.append({name, v.value_or(QString())});
        }
        return out;
    }
    if ((kind == Kind::Volume || kind == Kind::Copy || kind == Kind::Add) && ins.json) {
        for (const QString &a : ins.jsonArgs) {
            // Docker substitutes in the exec form's strings too, without quote processing.
            QString escaped = a;
            escaped.replace(esc, QString(esc) + esc);
            escaped.replace(QLatin1Char('"'), QString(esc) + QLatin1Char('"'));
            escaped.replace(QLatin1Char('\''), QString(esc) + QLatin1Char('\''));
            auto e = expandWord(escaped, lookup, esc);
            if (!e)
                return err(e.error());
            out.words.append(*e);
        }
        return out;
    }
    if (kind == Kind::Workdir) {
        auto e = expandWord(ins.args, lookup, esc);
        if (!e)
            return err(e.error());
        out.words.append(*e);
        return out;
    }
    auto e = expandWords(ins.args, lookup, esc);
    if (!e)
        return err(e.error());
    out.words = *e;
    return out;
}

} // namespace Berth::Engine
