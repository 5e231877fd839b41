// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/buildpage.h"

#include "engine/builder/gitcontext.h"
#include "engine/operations/buildoperations.h"
#include "ui/errortext.h"
#include "ui/models/buildstepsmodel.h"
#include "ui/models/presentation.h"
#include "ui/models/runrequest.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBlock>
#include <QVBoxLayout>

namespace Berth::Gui {

BuildPage::BuildPage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_steps(new BuildStepsModel(this)) {
    auto *layout = new QVBoxLayout(this);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *contextRow = new QHBoxLayout;
    m_context = new QLineEdit(this);
    m_context->setObjectName(QStringLiteral("buildContext"));
    m_context->setPlaceholderText(
        tr("A folder, or a git repository: https://host/repo.git#branch-or-tag:subfolder"));
    m_context->setToolTip(
        tr("The files the Dockerfile can copy. A git URL is cloned at the ref after #, and the "
           "image gets the commit as its org.opencontainers.image.revision label."));
    auto *folder = new QPushButton(tr("Folder…"), this);
    folder->setObjectName(QStringLiteral("buildChooseFolder"));
    contextRow->addWidget(m_context, 1);
    contextRow->addWidget(folder);
    // A label with its field as buddy: Alt+letter moves there.
    auto label = [this](const QString &text, QWidget *buddy) {
        auto *l = new QLabel(text, this);
        l->setBuddy(buddy);
        return l;
    };
    form->addRow(label(tr("&Context:"), m_context), contextRow);

    auto *dockerfileRow = new QHBoxLayout;
    m_dockerfile = new QLineEdit(this);
    m_dockerfile->setObjectName(QStringLiteral("buildDockerfile"));
    m_dockerfile->setPlaceholderText(tr("Dockerfile (in the context)"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    browse->setObjectName(QStringLiteral("buildChooseDockerfile"));
    dockerfileRow->addWidget(m_dockerfile, 1);
    dockerfileRow->addWidget(browse);
    form->addRow(label(tr("&Dockerfile:"), m_dockerfile), dockerfileRow);

    auto *tagRow = new QHBoxLayout;
    m_tag = new QLineEdit(this);
    m_tag->setObjectName(QStringLiteral("buildTag"));
    m_tag->setPlaceholderText(tr("name:tag (optional)"));
    m_target = new QLineEdit(this);
    m_target->setObjectName(QStringLiteral("buildTarget"));
    m_target->setPlaceholderText(tr("the last stage"));
    auto *targetLabel = new QLabel(tr("Tar&get stage:"), this);
    targetLabel->setBuddy(m_target);
    m_noCache = new QCheckBox(tr("Do not use the build cac&he"), this);
    m_noCache->setObjectName(QStringLiteral("buildNoCache"));
    tagRow->addWidget(m_tag, 2);
    tagRow->addWidget(targetLabel);
    tagRow->addWidget(m_target, 1);
    tagRow->addWidget(m_noCache);
    form->addRow(label(tr("&Tag:"), m_tag), tagRow);

    m_buildArgs = new QLineEdit(this);
    m_buildArgs->setObjectName(QStringLiteral("buildArgs"));
    m_buildArgs->setPlaceholderText(tr("KEY=value OTHER='two words'"));
    m_buildArgs->setToolTip(tr("Values for the Dockerfile's ARG instructions"));
    form->addRow(label(tr("Build &arguments:"), m_buildArgs), m_buildArgs);
    layout->addLayout(form);

    auto *actions = new QHBoxLayout;
    m_build = new QPushButton(tr("&Build"), this);
    m_build->setObjectName(QStringLiteral("buildButton"));
    m_build->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("buildCancel"));
    m_cancel->setEnabled(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("buildStatus"));
    actions->addWidget(m_build);
    actions->addWidget(m_cancel);
    actions->addWidget(m_status, 1);
    layout->addLayout(actions);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("buildError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setFrameShape(QFrame::StyledPanel);
    m_error->setMargin(6);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, changeColor(Engine::ChangeKind::Deleted));
    m_error->setPalette(errorPalette);
    m_error->hide();
    layout->addWidget(m_error);

    auto *split = new QSplitter(Qt::Horizontal, this);
    m_stepsView = new QTableView(split);
    m_stepsView->setObjectName(QStringLiteral("buildSteps"));
    m_stepsView->setModel(m_steps);
    m_stepsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stepsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_stepsView->verticalHeader()->hide();
    m_stepsView->setWordWrap(false);
    m_stepsView->setTextElideMode(Qt::ElideRight);
    m_stepsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_stepsView->horizontalHeader()->setSectionResizeMode(BuildStepsModel::Instruction,
                                                          QHeaderView::Stretch);
    m_stepsView->setToolTip(tr("Each step of the build, the Dockerfile line that made it, and "
                               "whether its result came from the build cache"));
    m_tabs = new QTabWidget(split);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_output = new QPlainTextEdit(m_tabs);
    m_output->setObjectName(QStringLiteral("buildOutput"));
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setMaximumBlockCount(20000); // a chatty RUN keeps its last 20,000 lines
    m_output->setFont(fixed);
    m_tabs->addTab(m_output, tr("Output"));
    m_dockerfileView = new QPlainTextEdit(m_tabs);
    m_dockerfileView->setObjectName(QStringLiteral("buildDockerfileView"));
    m_dockerfileView->setReadOnly(true);
    m_dockerfileView->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_dockerfileView->setFont(fixed);
    m_tabs->addTab(m_dockerfileView, tr("Dockerfile"));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({700, 500});
    layout->addWidget(split, 1);

    auto *resultRow = new QHBoxLayout;
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("buildResult"));
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_explore = new QPushButton(tr("Open in &layer explorer"), this);
    m_explore->setObjectName(QStringLiteral("buildExplore"));
    m_explore->setEnabled(false);
    resultRow->addWidget(m_result, 1);
    resultRow->addWidget(m_explore);
    layout->addLayout(resultRow);

    connect(folder, &QPushButton::clicked, this, &BuildPage::chooseFolder);
    connect(browse, &QPushButton::clicked, this, &BuildPage::chooseDockerfile);
    connect(m_build, &QPushButton::clicked, this, &BuildPage::startBuild);
    connect(m_cancel, &QPushButton::clicked, this, &BuildPage::cancelBuild);
    for (QLineEdit *edit : {m_context, m_dockerfile, m_tag, m_target, m_buildArgs})
        connect(edit, &QLineEdit::returnPressed, this, &BuildPage::startBuild);
    connect(m_explore, &QPushButton::clicked, this, [this] {
        if (!m_builtImageId.isEmpty())
            Q_EMIT exploreRequested(m_builtImageId);
    });
    // Selecting a step shows its lines in the Dockerfile.
    connect(m_stepsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid())
                    return;
                const BuildStepsModel::State state =
                    current.data(BuildStepsModel::StateRole).value<BuildStepsModel::State>();
                markLines(current.data(BuildStepsModel::FirstLineRole).toInt(),
                          current.data(BuildStepsModel::LastLineRole).toInt(),
                          state == BuildStepsModel::State::Failed);
            });
}

BuildPage::~BuildPage() = default; // a running job is cancelled by its destructor

void BuildPage::setContext(const QString &context) {
    m_context->setText(context);
}

void BuildPage::setTag(const QString &tag) {
    m_tag->setText(tag);
}

bool BuildPage::isBuilding() const {
    return m_job && m_job->isRunning();
}

void BuildPage::chooseFolder() {
    auto *dialog = new QFileDialog(this, tr("Choose the build context folder"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    if (QFileInfo(m_context->text()).isDir())
        dialog->setDirectory(m_context->text());
    connect(dialog, &QFileDialog::fileSelected, m_context, &QLineEdit::setText);
    dialog->open();
}

void BuildPage::chooseDockerfile() {
    auto *dialog = new QFileDialog(this, tr("Choose the Dockerfile"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    if (QFileInfo(m_context->text()).isDir())
        dialog->setDirectory(m_context->text());
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        // Inside the context: relative, which also works for the same path in a git context.
        const QString context = QFileInfo(m_context->text()).absoluteFilePath();
        const QString relative = QDir(context).relativeFilePath(path);
        m_dockerfile->setText(relative.startsWith(QLatin1String("..")) ? path : relative);
    });
    dialog->open();
}

void BuildPage::setBusy(bool busy) {
    m_build->setEnabled(!busy);
    m_cancel->setEnabled(busy);
    for (QWidget *w : std::initializer_list<QWidget *>{m_context, m_dockerfile, m_tag, m_target,
                                                       m_buildArgs, m_noCache})
        w->setEnabled(!busy);
}

void BuildPage::startBuild() {
    if (isBuilding())
        return;
    const QString context = m_context->text().trimmed();
    m_error->hide();
    if (context.isEmpty()) {
        m_error->setText(tr("Choose a folder or enter a git URL to build from."));
        m_error->show();
        return;
    }
    Engine::BuildOptions options;
    const bool git = Engine::GitContextSpec::parse(context).has_value();
    options.context = git ? context : QFileInfo(context).absoluteFilePath();
    options.dockerfile = m_dockerfile->text().trimmed();
    if (!m_tag->text().trimmed().isEmpty())
        options.tags = {m_tag->text().trimmed()};
    options.target = m_target->text().trimmed();
    options.noCache = m_noCache->isChecked();
    for (const QString &arg : splitCommandLine(m_buildArgs->text())) {
        const qsizetype eq = arg.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            m_error->setText(tr("Build arguments are KEY=value pairs; \"%1\" is not.").arg(arg));
            m_error->show();
            return;
        }
        options.buildArgs.insert(arg.left(eq), arg.mid(eq + 1));
    }

    m_steps->clear();
    m_output->clear();
    m_dockerfileView->clear();
    m_result->clear();
    m_explore->setEnabled(false);
    m_builtImageId.clear();
    m_runningFirstLine = m_runningLastLine = 0;
    m_tabs->setCurrentWidget(m_output);
    m_status->setText(git ? tr("Cloning and building…") : tr("Building…"));
    setBusy(true);

    delete m_job; // a finished job
    m_job = m_engine.builds().createJob(this);
    connect(m_job, &Engine::BuildJob::dockerfileRead, this, &BuildPage::showDockerfile);
    connect(m_job, &Engine::BuildJob::output, this, [this](const QStringList &lines) {
        QScrollBar *bar = m_output->verticalScrollBar();
        const bool follow = bar->value() == bar->maximum();
        m_output->appendPlainText(lines.join(QLatin1Char('\n')));
        if (follow)
            bar->setValue(bar->maximum());
    });
    connect(m_job, &Engine::BuildJob::stepStarted, this, &BuildPage::stepStarted);
    connect(m_job, &Engine::BuildJob::stepFinished, m_steps, &BuildStepsModel::stepFinished);
    connect(m_job, &Engine::BuildJob::succeeded, this, &BuildPage::succeeded);
    connect(m_job, &Engine::BuildJob::failed, this, &BuildPage::failed);
    m_job->start(options);
}

void BuildPage::cancelBuild() {
    if (!isBuilding())
        return;
    m_job->cancel();
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling…"));
}

void BuildPage::showDockerfile(const QString &name, const QString &text) {
    m_dockerfileView->setPlainText(text);
    m_tabs->setTabText(m_tabs->indexOf(m_dockerfileView), name);
}

void BuildPage::markLines(int first, int last, bool error) {
    QList<QTextEdit::ExtraSelection> marks;
    QTextDocument *doc = m_dockerfileView->document();
    QColor background =
        error ? changeColor(Engine::ChangeKind::Deleted) : palette().color(QPalette::Highlight);
    background.setAlpha(error ? 70 : 50);
    // One full-width mark per line (a cursor without a selection marks its whole line).
    for (int line = first; line > 0 && line <= qMax(first, last); ++line) {
        const QTextBlock block = doc->findBlockByNumber(line - 1);
        if (!block.isValid())
            break;
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(block);
        mark.format.setBackground(background);
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        marks.append(mark);
    }
    if (!marks.isEmpty()) {
        m_dockerfileView->setTextCursor(marks.first().cursor);
        m_dockerfileView->ensureCursorVisible();
    }
    m_dockerfileView->setExtraSelections(marks);
}

void BuildPage::stepStarted(const Engine::BuildStepEvent &event) {
    m_steps->stepStarted(event);
    m_runningFirstLine = event.record.firstLine;
    m_runningLastLine = event.record.lastLine;
    markLines(m_runningFirstLine, m_runningLastLine, false);
    m_stepsView->scrollToBottom();
    m_status->setText(tr("Step %1 of %2: %3")
                          .arg(event.number)
                          .arg(event.total)
                          .arg(event.record.instruction.simplified()));
}

void BuildPage::succeeded(const Engine::BuildResult &result) {
    setBusy(false);
    m_builtImageId = result.image.id.toString();
    int cached = 0, ran = 0;
    for (int row = 0; row < m_steps->rowCount(); ++row) {
        if (m_steps->state(row) == BuildStepsModel::State::Cached)
            ++cached;
        else if (m_steps->state(row) == BuildStepsModel::State::Ran)
            ++ran;
    }
    m_status->setText(tr("Built: %1 steps ran, %2 came from the cache.").arg(ran).arg(cached));
    QString name = result.image.id.shortId();
    QString text = tr("Image %1").arg(name);
    if (!result.image.tags.isEmpty()) {
        const auto ref = Engine::Reference::parse(result.image.tags.first());
        name = ref ? ref->familiarString() : result.image.tags.first();
        text = tr("Image %1, tagged %2").arg(result.image.id.shortId(), name);
    }
    if (!result.gitCommit.isEmpty())
        text += QLatin1Char(' ') + tr("(commit %1)").arg(result.gitCommit.left(12));
    m_result->setText(text);
    m_explore->setEnabled(true);
    markLines(0, 0, false);
    Q_EMIT statusMessage(tr("Built the image %1").arg(name));
    Q_EMIT storeChanged();
    Q_EMIT buildFinished(true);
}

void BuildPage::failed(const Engine::Error &error) {
    setBusy(false);
    const bool cancelled = error.kind == Engine::ErrorKind::Cancelled;
    m_steps->markRunning(cancelled ? BuildStepsModel::State::Cancelled
                                   : BuildStepsModel::State::Failed);
    if (cancelled) {
        m_status->setText(tr("Cancelled."));
        m_error->setText(tr("The build was cancelled. Steps that had finished are in the build "
                            "cache for the next build."));
        m_error->show();
        Q_EMIT buildFinished(false);
        return;
    }
    // "Dockerfile:3:5: what went wrong": the position comes first (parse errors name the column
    // too); errors without one belong to the step that was running.
    static const QRegularExpression position(QStringLiteral("^(?:[^:\\n]*: )*?([^:\\n]+):(\\d+):"
                                                            "(\\d+): (.*)$"),
                                             QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch m = position.match(error.message);
    int line = m_runningFirstLine;
    int lastLine = m_runningLastLine;
    QString message = error.message;
    if (m.hasMatch()) {
        line = lastLine = m.captured(2).toInt();
        message = m.captured(4);
        for (int row = 0; row < m_steps->rowCount(); ++row)
            if (m_steps->record(row).firstLine == line)
                lastLine = qMax(lastLine, m_steps->record(row).lastLine);
    }
    m_status->setText(tr("The build failed."));
    m_error->setText(line > 0 ? tr("Line %1 of the Dockerfile: %2").arg(line).arg(message)
                              : errorText(tr("The image could not be built."), error).summary +
                                    QLatin1Char('\n') + error.message);
    m_error->show();
    if (line > 0) {
        m_tabs->setCurrentWidget(m_dockerfileView);
        markLines(line, lastLine, true);
    }
    Q_EMIT buildFinished(false);
}

} // namespace Berth::Gui
