// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/runrequest.h"

#include "engine/core/textvalues.h"
#include "engine/operations/volumeoperations.h"
#include "engine/runtime/publishedports.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace Berth::Gui {

namespace {
class RunTexts {
    Q_DECLARE_TR_FUNCTIONS(Berth::Gui::RunTexts)
};
} // namespace

qint64 parseMemorySize(const QString &text) {
    return Engine::parseByteSize(text, Engine::SizeUnits::Binary);
}

QStringList splitCommandLine(const QString &command) {
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command.at(i);
        if (quote == QLatin1Char('\'')) {
            if (c == QLatin1Char('\''))
                quote = QChar();
            else
                word += c;
        } else if (quote == QLatin1Char('"')) {
            if (c == QLatin1Char('"'))
                quote = QChar();
            else if (c == QLatin1Char('\\') && i + 1 < command.size() &&
                     QStringLiteral("\"\\$`").contains(command.at(i + 1)))
                word += command.at(++i);
            else
                word += c;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            inWord = true;
            if (c == QLatin1Char('\'') || c == QLatin1Char('"'))
                quote = c;
            else if (c == QLatin1Char('\\') && i + 1 < command.size())
                word += command.at(++i);
            else
                word += c;
        }
    }
    if (inWord)
        words << word;
    return words;
}

QString shellQuote(const QString &word) {
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    if (safe.match(word).hasMatch())
        return word;
    QString quoted = word;
    quoted.replace(QLatin1String("'"), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

Engine::Result<Engine::CreateRequest> createRequest(const RunOptions &o) {
    Engine::CreateRequest r;
    Engine::ContainerSpec &s = r.spec;
    s.image = o.image.trimmed();
    if (s.image.isEmpty())
        return Engine::fail(Engine::ErrorKind::InvalidArgument, RunTexts::tr("Choose an image."));
    r.name = o.name.trimmed();
    if (!r.name.isEmpty() && !Engine::ContainerRuntime::isValidName(r.name))
        return Engine::fail(Engine::ErrorKind::InvalidArgument,
                            RunTexts::tr("The name may contain letters, digits, '_', '.' and "
                                         "'-', and must start with a letter or digit."));
    s.cmd = splitCommandLine(o.command);
    for (const auto &[key, value] : o.env) {
        if (key.trimmed().isEmpty())
            continue;
        s.env << key.trimmed() + QLatin1Char('=') + value;
    }
    s.workingDir = o.workingDir.trimmed();
    if (!s.workingDir.isEmpty() && !s.workingDir.startsWith(QLatin1Char('/')))
        return Engine::fail(Engine::ErrorKind::InvalidArgument,
                            RunTexts::tr("The working directory must be an absolute path, "
                                         "starting with /."));
    s.user = o.user.trimmed();
    for (const QString &text : publishedPortWords(o.ports)) {
        auto ports = Engine::parsePublishOption(text);
        if (!ports)
            return Engine::fail(
                Engine::ErrorKind::InvalidArgument,
                RunTexts::tr("\"%1\" is not a published port; write HOST:CONTAINER, "
                             "for example 8080:80, or 8080:80/udp.")
                    .arg(text));
        s.portBindings += *ports;
    }
    for (const QString &text : volumeWords(o.volumes)) {
        auto mount = Engine::parseVolumeOption(text);
        if (!mount)
            return Engine::fail(
                Engine::ErrorKind::InvalidArgument,
                RunTexts::tr("\"%1\" is not a volume; write VOLUME:/path in the container, "
                             "for example data:/var/lib/app, or /host/folder:/path, with :ro "
                             "at the end for read-only.")
                    .arg(text));
        s.mounts.append(*mount);
    }
    if (!o.restartPolicy.trimmed().isEmpty()) {
        auto policy = Engine::RestartPolicy::parse(o.restartPolicy.trimmed());
        if (!policy)
            return Engine::fail(Engine::ErrorKind::InvalidArgument,
                                RunTexts::tr("\"%1\" is not a restart policy; choose no, "
                                             "on-failure, always or unless-stopped.")
                                    .arg(o.restartPolicy));
        s.restartPolicy = *policy;
    }
    if (!o.memory.trimmed().isEmpty()) {
        s.memory = parseMemorySize(o.memory);
        if (s.memory <= 0)
            return Engine::fail(Engine::ErrorKind::InvalidArgument,
                                RunTexts::tr("The memory limit is not a size; write for "
                                             "example 512m or 2g."));
    }
    s.nanoCpus = qint64(o.cpus * 1e9);
    s.pidsLimit = o.pidsLimit;
    s.autoRemove = o.autoRemove;
    s.init = o.init;
    return r;
}

QStringList publishedPortWords(const QString &ports) {
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    return ports.split(separators, Qt::SkipEmptyParts);
}

QStringList volumeWords(const QString &volumes) {
    QStringList words;
    for (const QString &word : volumes.split(QLatin1Char(',')))
        if (!word.trimmed().isEmpty())
            words << word.trimmed();
    return words;
}

QString berthctlCommandLine(const RunOptions &o) {
    QStringList words{QStringLiteral("berthctl"), QStringLiteral("run")};
    if (o.detach)
        words << QStringLiteral("-d");
    if (o.autoRemove)
        words << QStringLiteral("--rm");
    if (o.init)
        words << QStringLiteral("--init");
    if (!o.name.trimmed().isEmpty())
        words << QStringLiteral("--name") << shellQuote(o.name.trimmed());
    for (const auto &[key, value] : o.env)
        if (!key.trimmed().isEmpty())
            words << QStringLiteral("-e") << shellQuote(key.trimmed() + QLatin1Char('=') + value);
    if (!o.workingDir.trimmed().isEmpty())
        words << QStringLiteral("-w") << shellQuote(o.workingDir.trimmed());
    if (!o.user.trimmed().isEmpty())
        words << QStringLiteral("-u") << shellQuote(o.user.trimmed());
    for (const QString &text : publishedPortWords(o.ports))
        words << QStringLiteral("-p") << shellQuote(text);
    for (const QString &text : volumeWords(o.volumes))
        words << QStringLiteral("-v") << shellQuote(text);
    if (const QString policy = o.restartPolicy.trimmed();
        !policy.isEmpty() && policy != QLatin1String("no"))
        words << QStringLiteral("--restart") << shellQuote(policy);
    if (!o.memory.trimmed().isEmpty())
        words << QStringLiteral("-m") << shellQuote(o.memory.trimmed());
    if (o.cpus > 0)
        words << QStringLiteral("--cpus") << QString::number(o.cpus);
    if (o.pidsLimit > 0)
        words << QStringLiteral("--pids-limit") << QString::number(o.pidsLimit);
    words << shellQuote(o.image.trimmed().isEmpty() ? QStringLiteral("IMAGE") : o.image.trimmed());
    for (const QString &arg : splitCommandLine(o.command))
        words << shellQuote(arg);
    return words.join(QLatin1Char(' '));
}

} // namespace Berth::Gui
