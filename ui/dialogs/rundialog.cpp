// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/dialogs/rundialog.h"

#include "engine/runtime/commandexit.h"
#include "ui/errortext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Berth::Gui {

RunDialog::RunDialog(Engine::Engine &engine, const QStringList &images, QWidget *parent)
    : QDialog(parent)
    , m_engine(engine) {
    setObjectName(QStringLiteral("runDialog"));
    setWindowTitle(tr("Run a container"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;

    m_image = new QComboBox(this);
    m_image->setObjectName(QStringLiteral("runImage"));
    m_image->setEditable(true);
    m_image->addItems(images);
    m_image->setToolTip(tr("The image whose files the container starts from"));
    form->addRow(tr("&Image:"), m_image);
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("runName"));
    m_name->setPlaceholderText(tr("A generated name"));
    form->addRow(tr("&Name:"), m_name);
    m_command = new QLineEdit(this);
    m_command->setObjectName(QStringLiteral("runCommand"));
    m_command->setPlaceholderText(tr("The image's own command"));
    m_command->setToolTip(tr("Words as in a shell; quote with ' or \" to keep spaces"));
    form->addRow(tr("&Command:"), m_command);

    m_env = new QTableWidget(0, 2, this);
    m_env->setObjectName(QStringLiteral("runEnv"));
    m_env->setHorizontalHeaderLabels({tr("Variable"), tr("Value")});
    m_env->horizontalHeader()->setStretchLastSection(true);
    m_env->verticalHeader()->hide();
    m_env->setMinimumHeight(90);
    m_env->setMaximumHeight(130);
    auto *envButtons = new QHBoxLayout;
    auto *addEnv = new QPushButton(tr("Add variable"), this);
    addEnv->setObjectName(QStringLiteral("runAddEnv"));
    addEnv->setAutoDefault(false);
    auto *removeEnv = new QPushButton(tr("Remove variable"), this);
    removeEnv->setObjectName(QStringLiteral("runRemoveEnv"));
    removeEnv->setAutoDefault(false);
    envButtons->addWidget(addEnv);
    envButtons->addWidget(removeEnv);
    envButtons->addStretch();
    auto *envBox = new QVBoxLayout;
    envBox->addWidget(m_env);
    envBox->addLayout(envButtons);
    auto *envLabel = new QLabel(tr("&Environment:"), this);
    envLabel->setBuddy(m_env);
    form->addRow(envLabel, envBox);

    m_workdir = new QLineEdit(this);
    m_workdir->setObjectName(QStringLiteral("runWorkdir"));
    m_workdir->setPlaceholderText(tr("The image's, else /"));
    form->addRow(tr("&Working directory:"), m_workdir);
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("runUser"));
    m_user->setPlaceholderText(tr("The image's, else root"));
    form->addRow(tr("&User:"), m_user);
    m_ports = new QLineEdit(this);
    m_ports->setObjectName(QStringLiteral("runPorts"));
    m_ports->setPlaceholderText(tr("none (e.g. 8080:80 makes the container's port 80 "
                                   "http://localhost:8080)"));
    m_ports->setToolTip(tr("Published ports: HOST:CONTAINER[/udp], several separated by commas"));
    form->addRow(tr("&Ports:"), m_ports);
    m_volumes = new QLineEdit(this);
    m_volumes->setObjectName(QStringLiteral("runVolumes"));
    m_volumes->setPlaceholderText(tr("none (e.g. data:/data keeps /data in the volume \"data\")"));
    m_volumes->setToolTip(tr("Volumes: VOLUME:/path or /host/folder:/path, :ro at the end for "
                             "read-only, several separated by commas"));
    form->addRow(tr("&Volumes:"), m_volumes);

    auto *limits = new QHBoxLayout;
    m_memory = new QLineEdit(this);
    m_memory->setObjectName(QStringLiteral("runMemory"));
    m_memory->setPlaceholderText(tr("no limit (e.g. 512m)"));
    m_cpus = new QDoubleSpinBox(this);
    m_cpus->setObjectName(QStringLiteral("runCpus"));
    m_cpus->setRange(0, 1024);
    m_cpus->setDecimals(2);
    m_cpus->setSingleStep(0.5);
    m_cpus->setSpecialValueText(tr("no limit"));
    m_pids = new QSpinBox(this);
    m_pids->setObjectName(QStringLiteral("runPids"));
    m_pids->setRange(0, 1 << 22);
    m_pids->setSpecialValueText(tr("no limit"));
    limits->addWidget(new QLabel(tr("Memory:"), this));
    limits->addWidget(m_memory);
    limits->addWidget(new QLabel(tr("CPUs:"), this));
    limits->addWidget(m_cpus);
    limits->addWidget(new QLabel(tr("Processes:"), this));
    limits->addWidget(m_pids);
    form->addRow(tr("Limits:"), limits);

    m_restart = new QComboBox(this);
    m_restart->setObjectName(QStringLiteral("runRestart"));
    m_restart->addItem(tr("Never (no)"), QStringLiteral("no"));
    m_restart->addItem(tr("When it fails (on-failure)"), QStringLiteral("on-failure"));
    m_restart->addItem(tr("Always, also after Berth starts again (always)"),
                       QStringLiteral("always"));
    m_restart->addItem(tr("Always, unless stopped by hand (unless-stopped)"),
                       QStringLiteral("unless-stopped"));
    m_restart->setToolTip(tr("Whether the container runs again when its program ends"));
    // on-failure:N, as `docker run --restart on-failure:3`: only for "when it fails".
    m_restartMax = new QSpinBox(this);
    m_restartMax->setObjectName(QStringLiteral("runRestartMax"));
    m_restartMax->setRange(0, 1000);
    m_restartMax->setSpecialValueText(tr("no limit"));
    m_restartMax->setSuffix(tr(" times at most"));
    m_restartMax->setToolTip(tr("How many times a failing container is restarted before Berth "
                                "gives up"));
    auto *restart = new QHBoxLayout;
    restart->addWidget(m_restart, 1);
    restart->addWidget(m_restartMax);
    auto *restartLabel = new QLabel(tr("&Restart:"), this);
    restartLabel->setBuddy(m_restart); // (addRow with a layout would show the "&")
    form->addRow(restartLabel, restart);
    auto enableRestartMax = [this] {
        m_restartMax->setEnabled(m_restart->currentData().toString() ==
                                 QLatin1String("on-failure"));
    };
    connect(m_restart, &QComboBox::currentIndexChanged, this, enableRestartMax);
    enableRestartMax();

    m_rm = new QCheckBox(tr("Remove the container when it exits (--rm)"), this);
    m_rm->setObjectName(QStringLiteral("runRm"));
    m_init = new QCheckBox(tr("Run an init process that forwards signals and reaps zombies "
                              "(--init)"),
                           this);
    m_init->setObjectName(QStringLiteral("runInit"));
    m_detach = new QCheckBox(tr("Run in the background; do not open its logs (-d)"), this);
    m_detach->setObjectName(QStringLiteral("runDetach"));
    auto *checks = new QVBoxLayout;
    checks->addWidget(m_rm);
    checks->addWidget(m_init);
    checks->addWidget(m_detach);
    form->addRow(tr("Options:"), checks);
    layout->addLayout(form);

    auto *lineLabel = new QLabel(tr("The same from a terminal:"), this);
    layout->addWidget(lineLabel);
    m_commandLine = new QPlainTextEdit(this);
    m_commandLine->setObjectName(QStringLiteral("runCommandLine"));
    m_commandLine->setReadOnly(true);
    m_commandLine->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_commandLine->setMaximumHeight(m_commandLine->fontMetrics().lineSpacing() * 3 + 12);
    m_commandLine->setAccessibleName(tr("Equivalent command line"));
    lineLabel->setBuddy(m_commandLine);
    layout->addWidget(m_commandLine);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("runProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->hide();
    layout->addWidget(m_problem);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_run = buttons->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
    m_run->setObjectName(QStringLiteral("runButton"));
    m_run->setDefault(true);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_run, &QPushButton::clicked, this, &RunDialog::run);
    connect(addEnv, &QPushButton::clicked, this, [this] {
        addEnvRow();
        m_env->setCurrentCell(m_env->rowCount() - 1, 0);
        m_env->editItem(m_env->item(m_env->rowCount() - 1, 0));
    });
    connect(removeEnv, &QPushButton::clicked, this, [this] {
        if (m_env->currentRow() >= 0)
            m_env->removeRow(m_env->currentRow());
        updateCommandLine();
    });

    connect(m_image, &QComboBox::currentTextChanged, this, &RunDialog::updateCommandLine);
    for (QLineEdit *edit : {m_name, m_command, m_workdir, m_user, m_ports, m_volumes, m_memory})
        connect(edit, &QLineEdit::textChanged, this, &RunDialog::updateCommandLine);
    connect(m_cpus, &QDoubleSpinBox::valueChanged, this, &RunDialog::updateCommandLine);
    connect(m_pids, &QSpinBox::valueChanged, this, &RunDialog::updateCommandLine);
    connect(m_restart, &QComboBox::currentIndexChanged, this, &RunDialog::updateCommandLine);
    connect(m_restartMax, &QSpinBox::valueChanged, this, &RunDialog::updateCommandLine);
    for (QCheckBox *box : {m_rm, m_init, m_detach})
        connect(box, &QCheckBox::toggled, this, &RunDialog::updateCommandLine);
    connect(m_env, &QTableWidget::itemChanged, this, &RunDialog::updateCommandLine);
    resize(640, sizeHint().height());
    updateCommandLine();
}

void RunDialog::setImage(const QString &image) {
    m_image->setCurrentText(image);
}

void RunDialog::setCommand(const QString &command) {
    m_command->setText(command);
}

void RunDialog::addEnvRow(const QString &key, const QString &value) {
    const int row = m_env->rowCount();
    m_env->insertRow(row);
    m_env->setItem(row, 0, new QTableWidgetItem(key));
    m_env->setItem(row, 1, new QTableWidgetItem(value));
}

RunOptions RunDialog::options() const {
    RunOptions o;
    o.image = m_image->currentText();
    o.name = m_name->text();
    o.command = m_command->text();
    for (int row = 0; row < m_env->rowCount(); ++row) {
        const QTableWidgetItem *key = m_env->item(row, 0);
        const QTableWidgetItem *value = m_env->item(row, 1);
        if (key && !key->text().trimmed().isEmpty())
            o.env.append({key->text(), value ? value->text() : QString()});
    }
    o.workingDir = m_workdir->text();
    o.user = m_user->text();
    o.ports = m_ports->text();
    o.volumes = m_volumes->text();
    o.restartPolicy = m_restart->currentData().toString();
    if (m_restartMax->isEnabled() && m_restartMax->value() > 0)
        o.restartPolicy += QLatin1Char(':') + QString::number(m_restartMax->value());
    o.memory = m_memory->text();
    o.cpus = m_cpus->value();
    o.pidsLimit = m_pids->value();
    o.autoRemove = m_rm->isChecked();
    o.init = m_init->isChecked();
    o.detach = m_detach->isChecked();
    return o;
}

QString RunDialog::commandLine() const {
    return m_commandLine->toPlainText();
}

void RunDialog::updateCommandLine() {
    m_commandLine->setPlainText(berthctlCommandLine(options()));
}

void RunDialog::showProblem(const QString &summary, const QString &detail) {
    m_problem->setText(detail.isEmpty() ? summary : summary + QStringLiteral("\n\n") + detail);
    m_problem->setVisible(!summary.isEmpty());
}

void RunDialog::showStartFailure(const Engine::Error &error) {
    // The failure a newcomer meets most: a host port another program (or container) holds.
    if (error.message.contains(QLatin1String("port is already allocated"))) {
        showProblem(tr("The container could not be started: a host port you chose is already "
                       "in use by another program or container. Choose another host port, or "
                       "give only the container's port (\"80\") to get a free one. Nothing was "
                       "created."),
                    error.message);
        return;
    }
    switch (Engine::commandFailure(error)) {
    case Engine::CommandFailure::NotFound:
        showProblem(tr("The container could not be started: its command (%1) does not exist in "
                       "the image. Check the command, or leave it empty for the image's own. "
                       "Nothing was created.")
                        .arg(m_command->text().trimmed().isEmpty() ? tr("the image's")
                                                                   : m_command->text().trimmed()),
                    error.message);
        return;
    case Engine::CommandFailure::CannotInvoke:
        showProblem(tr("The container could not be started: its command cannot be run (a "
                       "directory, or a file that is not executable). Nothing was created."),
                    error.message);
        return;
    case Engine::CommandFailure::Other:
        break;
    }
    const ErrorText text = errorText(tr("The container could not be started."), error);
    showProblem(text.summary + QLatin1Char(' ') + tr("Nothing was created."), text.detail);
}

void RunDialog::run() {
    if (m_running)
        return;
    const RunOptions o = options();
    auto request = createRequest(o);
    if (!request) {
        showProblem(request.error().message);
        return;
    }
    m_running = true;
    m_run->setEnabled(false);
    m_run->setText(tr("Starting…"));
    showProblem({});
    Engine::Engine *engine = &m_engine;
    const Engine::CreateRequest req = *request;
    m_engine
        .async([engine, req]() -> Engine::Result<Engine::ContainerRecord> {
            Engine::ContainerRuntime &rt = engine->containers();
            auto created = rt.create(req);
            if (!created)
                return created;
            // A container that could not start is removed: the dialog keeps what the user
            // chose, so Run again (another port, say) must not find the name taken.
            auto started = rt.start(created->id);
            if (!started)
                (void)rt.remove(created->id, Engine::ContainerRuntime::Force::Yes,
                                Engine::ContainerRuntime::RemoveVolumes::Yes);
            return started;
        })
        .then(this, [this, o](const Engine::Result<Engine::ContainerRecord> &result) {
            m_running = false;
            m_run->setEnabled(true);
            m_run->setText(tr("Run"));
            if (!result) {
                showStartFailure(result.error());
                return;
            }
            Q_EMIT containerStarted(result->id, result->name, !o.detach);
            accept();
        });
}

} // namespace Berth::Gui
