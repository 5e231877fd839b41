// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/imagespage.h"

#include "ui/errortext.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/presentation.h"
#include "ui/widgets/pullbox.h"
#include "ui/widgets/taskprogress.h"
#include "ui/widgets/transferpanel.h"

#include <QAction>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <utility>

namespace Berth::Gui {

namespace {

QToolButton *toolButton(const QString &text, const QString &objectName, QWidget *parent) {
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setObjectName(objectName);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setAutoRaise(false);
    return b;
}

} // namespace

ImagesPage::ImagesPage(Engine::Engine &engine, ImagesModel *model, TaskProgress *progress,
                       QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(model)
    , m_progress(progress) {
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("<h2>Images</h2>"), this);
    layout->addWidget(title);

    m_firstRun = new QFrame(this);
    m_firstRun->setObjectName(QStringLiteral("firstRunBanner"));
    m_firstRun->setFrameShape(QFrame::StyledPanel);
    m_firstRun->setAutoFillBackground(true);
    m_firstRun->setBackgroundRole(QPalette::AlternateBase);
    auto *bannerLayout = new QHBoxLayout(m_firstRun);
    m_firstRunText = new QLabel(m_firstRun);
    m_firstRunText->setWordWrap(true);
    auto *runFirst = new QPushButton(tr("Run a container from it"), m_firstRun);
    runFirst->setObjectName(QStringLiteral("runFirstContainerButton"));
    auto *dismiss = new QToolButton(m_firstRun);
    dismiss->setText(tr("Not now"));
    bannerLayout->addWidget(m_firstRunText, 1);
    bannerLayout->addWidget(runFirst);
    bannerLayout->addWidget(dismiss);
    m_firstRun->hide();
    layout->addWidget(m_firstRun);
    connect(dismiss, &QToolButton::clicked, m_firstRun, &QWidget::hide);
    connect(runFirst, &QPushButton::clicked, this, [this] {
        m_firstRun->hide();
        // A first container that says hello and keeps printing, so its logs show life.
        Q_EMIT runRequested(m_firstRunImage,
                            QStringLiteral("sh -c 'echo Hello from your first container!; "
                                           "while true; do date; sleep 5; done'"));
    });

    m_pullBox = new PullBox(m_engine, this);
    layout->addWidget(m_pullBox);
    connect(m_pullBox, &PullBox::statusMessage, this, &ImagesPage::statusMessage);
    connect(m_pullBox, &PullBox::pulled, this, [this](const QString &reference) {
        m_selectAfterRefresh = reference;
        Q_EMIT storeChanged();
    });
    connect(m_pullBox->transferPanel(), &TransferPanel::statusMessage, this,
            [this](const QString &) { updateActions(); });
    connect(m_pullBox->transferPanel(), &TransferPanel::runningChanged, this,
            &ImagesPage::updateActions);

    auto *bar = new QHBoxLayout;
    auto *load = toolButton(tr("Load…"), QStringLiteral("loadButton"), this);
    load->setToolTip(tr("Load images from an archive written by docker save, podman save or "
                        "skopeo (docker-archive or OCI)"));
    auto *import = toolButton(tr("Import rootfs…"), QStringLiteral("importButton"), this);
    import->setToolTip(tr("Make a one-layer image from a root filesystem tarball"));
    m_save = toolButton(tr("Save…"), QStringLiteral("saveButton"), this);
    m_tag = toolButton(tr("Tag…"), QStringLiteral("tagButton"), this);
    m_push = toolButton(tr("Push…"), QStringLiteral("pushButton"), this);
    m_push->setToolTip(tr("Upload the selected image to a registry; layers the registry has "
                          "are not sent"));
    m_remove = toolButton(tr("Remove"), QStringLiteral("removeButton"), this);
    m_explore = toolButton(tr("Explore layers"), QStringLiteral("exploreButton"), this);
    m_explore->setToolTip(tr("Open the selected image in the layer explorer (double-click)"));
    m_run = toolButton(tr("Run…"), QStringLiteral("runImageButton"), this);
    m_run->setToolTip(tr("Create and start a container from the selected image"));
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("imagesFilter"));
    m_filter->setPlaceholderText(tr("Filter by name, tag or ID"));
    m_filter->setClearButtonEnabled(true);
    for (QWidget *w : {static_cast<QWidget *>(load), static_cast<QWidget *>(import),
                       static_cast<QWidget *>(m_save), static_cast<QWidget *>(m_tag),
                       static_cast<QWidget *>(m_push), static_cast<QWidget *>(m_remove),
                       static_cast<QWidget *>(m_explore), static_cast<QWidget *>(m_run)})
        bar->addWidget(w);
    bar->addStretch();
    bar->addWidget(m_filter, 1);
    layout->addLayout(bar);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(ImagesModel::FilterRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(ImagesModel::SortRole);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("imagesView"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ImagesModel::Repository, Qt::AscendingOrder);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(ImagesModel::Repository, QHeaderView::Stretch);
    layout->addWidget(m_view);

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(load, &QToolButton::clicked, this, &ImagesPage::chooseArchiveToLoad);
    connect(import, &QToolButton::clicked, this, &ImagesPage::chooseRootfsToImport);
    connect(m_save, &QToolButton::clicked, this, &ImagesPage::chooseSaveTarget);
    connect(m_tag, &QToolButton::clicked, this, &ImagesPage::tagSelected);
    connect(m_push, &QToolButton::clicked, this, &ImagesPage::pushSelected);
    connect(m_remove, &QToolButton::clicked, this, &ImagesPage::removeSelected);
    connect(m_explore, &QToolButton::clicked, this, [this] {
        if (const Engine::ImageRecord image = selectedImage(); image.id.isValid())
            Q_EMIT exploreRequested(image.id.toString());
    });
    connect(m_run, &QToolButton::clicked, this, [this] {
        if (const QString name = selectedName(); !name.isEmpty()) {
            auto ref = Engine::Reference::parse(name);
            Q_EMIT runRequested(ref ? ref->familiarString() : name, QString());
        }
    });
    // The same actions on the right mouse button.
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QToolButton *b : {m_run, m_explore, m_tag, m_push, m_save, m_remove}) {
        auto *action = new QAction(b->text(), m_view);
        connect(action, &QAction::triggered, b, &QToolButton::click);
        m_view->addAction(action);
    }
    connect(m_view, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT exploreRequested(index.data(ImagesModel::ImageIdRole).toString());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ImagesPage::updateActions);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ImagesPage::updateActions);

    // Delete removes, as in file managers; the confirmation keeps it safe.
    auto *removeAction = new QAction(this);
    removeAction->setShortcut(QKeySequence::Delete);
    removeAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(removeAction, &QAction::triggered, this, &ImagesPage::removeSelected);
    m_view->addAction(removeAction);
    updateActions();
}

void ImagesPage::updateActions() {
    const bool selected = m_view->selectionModel()->hasSelection();
    for (QToolButton *b : {m_remove, m_tag, m_save, m_explore, m_run})
        b->setEnabled(selected);
    m_push->setEnabled(selected && !m_pullBox->transferPanel()->isRunning());
}

QString ImagesPage::takeSelectionAfterRefresh() {
    if (!m_selectAfterRefresh.isEmpty())
        return std::exchange(m_selectAfterRefresh, QString());
    return selectedName();
}

void ImagesPage::pull(const QString &name) {
    m_pullBox->pull(name);
}

void ImagesPage::pushSelected() {
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    auto ref = Engine::Reference::parse(name);
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("pushDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Push image"));
    dialog->setLabelText(tr("Push to (registry/repository:tag; without a registry it goes to "
                            "Docker Hub):"));
    dialog->setTextValue(ref ? ref->familiarString() : QString());
    connect(dialog, &QInputDialog::textValueSelected, this,
            [this, name](const QString &target) { push(name, target.trimmed()); });
    dialog->open();
}

void ImagesPage::push(const QString &source, const QString &target) {
    TransferPanel *panel = m_pullBox->transferPanel();
    auto ref = Engine::Reference::parse(target);
    if (!ref) {
        const ErrorText words =
            errorText(tr("\"%1\" is not a valid place to push to.").arg(target), ref.error());
        panel->showProblem(words.summary, words.detail);
        return;
    }
    panel->startPush(source, *ref);
}

void ImagesPage::offerFirstRun(const QString &reference) {
    auto ref = Engine::Reference::parse(reference);
    m_firstRunImage = ref ? ref->familiarString() : reference;
    m_firstRunText->setText(
        tr("<b>%1 is ready.</b> Next, start a container from it: a running copy of the image "
           "that prints a greeting, and you see its output right away.")
            .arg(m_firstRunImage.toHtmlEscaped()));
    m_firstRun->show();
}

QString ImagesPage::selectedName() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const QString ref = rows.first().data(ImagesModel::ReferenceRole).toString();
    return ref.isEmpty() ? rows.first().data(ImagesModel::ImageIdRole).toString() : ref;
}

Engine::ImageRecord ImagesPage::selectedImage() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return m_model->imageAt(m_proxy->mapToSource(rows.first()).row());
}

bool ImagesPage::selectRow(const QString &reference) {
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        auto ref = Engine::Reference::parse(reference);
        const QString wanted = ref ? ref->toString() : reference;
        if (index.data(ImagesModel::ReferenceRole).toString() == wanted ||
            index.data(ImagesModel::ImageIdRole).toString() == reference) {
            m_view->selectRow(row);
            return true;
        }
    }
    return false;
}

namespace {

// What removing an image would do (the engine's dry run), and, when containers use it, which.
struct RemovalPlan {
    Engine::Result<Engine::RemovalReport> report;
    QList<Engine::ContainerRecord> users;
};

QString userList(const QList<Engine::ContainerRecord> &users) {
    QStringList names;
    for (const Engine::ContainerRecord &c : users)
        names << (c.isRunning() ? ImagesPage::tr("%1 (running)").arg(c.name) : c.name);
    return names.join(QStringLiteral(", "));
}

} // namespace

void ImagesPage::removeSelected() {
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    Engine::Engine *engine = &m_engine;
    // The engine's dry run says what the removal would do before anything goes.
    m_engine
        .async([engine, name] {
            RemovalPlan plan{
                engine->maintenance().removeImage(name, Engine::StoreMaintenance::Force::No,
                                                  Engine::StoreMaintenance::DryRun::Yes),
                {}};
            if (!plan.report && plan.report.error().kind == Engine::ErrorKind::Conflict)
                if (auto image = engine->images().resolve(name))
                    for (const Engine::ContainerRecord &c : engine->containers().list())
                        if (c.imageId == image->id)
                            plan.users.append(c);
            return plan;
        })
        .then(this, [this, name](const RemovalPlan &plan) {
            auto ref = Engine::Reference::parse(name);
            const QString shown = ref ? ref->familiarString() : name.left(19);
            if (!plan.users.isEmpty())
                return askRemoveWithContainers(name, shown, plan.users);
            if (!plan.report) {
                showError(this, tr("The image could not be removed."), plan.report.error());
                return;
            }
            askRemove(name, shown, *plan.report);
        });
}

void ImagesPage::askRemove(const QString &name, const QString &shown,
                           const Engine::RemovalReport &plan) {
    QString text;
    if (plan.deletedImages.isEmpty())
        text = tr("Remove the name %1?\n\nThe image keeps its other names (%2), so no "
                  "disk space is freed.")
                   .arg(shown, plan.keptNames.join(QStringLiteral(", ")));
    else if (!plan.deletedLayers.isEmpty())
        text = tr("Remove the image %1?\n\nThis frees %2: the image's layers that no "
                  "other image uses (%3).")
                   .arg(shown, formatBytes(plan.reclaimedBytes))
                   .arg(plan.deletedLayers.size());
    else
        text = tr("Remove the image %1?\n\nAll its layers are shared with other images "
                  "and stay, so almost no disk space is freed.")
                   .arg(shown);
    QMessageBox *box = removalQuestion(text);
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemove"));
    connect(remove, &QPushButton::clicked, this,
            [this, name, shown] { removeImage(name, shown, {}); });
    box->open();
}

// An image containers use cannot go alone (Docker's rmi refuses it too): say which containers,
// and offer to remove them with it, as Docker Desktop does.
void ImagesPage::askRemoveWithContainers(const QString &name, const QString &shown,
                                         const QList<Engine::ContainerRecord> &users) {
    const QString question =
        users.size() == 1
            ? tr("The image %1 is used by the container %2.\n\nRemove the container (and the "
                 "files it wrote) together with the image?")
                  .arg(shown, userList(users))
            : tr("The image %1 is used by %2 containers: %3.\n\nRemove the containers (and the "
                 "files they wrote) together with the image?")
                  .arg(shown)
                  .arg(users.size())
                  .arg(userList(users));
    QMessageBox *box = removalQuestion(question);
    QPushButton *remove =
        box->addButton(tr("Remove containers and image"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemoveWithContainers"));
    QStringList ids;
    for (const Engine::ContainerRecord &c : users)
        ids << c.id;
    connect(remove, &QPushButton::clicked, this,
            [this, name, shown, ids] { removeImage(name, shown, ids); });
    box->open();
}

QMessageBox *ImagesPage::removalQuestion(const QString &text) {
    auto *box =
        new QMessageBox(QMessageBox::Question, tr("Remove image"), text, QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    return box;
}

// Removes the containers `containerIds` (running ones are killed), then the image.
void ImagesPage::removeImage(const QString &name, const QString &shown,
                             const QStringList &containerIds) {
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, name, containerIds]() -> Engine::Result<Engine::RemovalReport> {
            for (const QString &id : containerIds)
                if (auto st = engine->containers().remove(id, Engine::ContainerRuntime::Force::Yes);
                    !st && st.error().kind != Engine::ErrorKind::NotFound)
                    return std::unexpected(st.error());
            return engine->maintenance().removeImage(name, Engine::StoreMaintenance::Force::No);
        })
        .then(this, [this, shown](const Engine::Result<Engine::RemovalReport> &r) {
            if (!r) {
                showError(this, tr("%1 could not be removed.").arg(shown), r.error());
                return;
            }
            Q_EMIT statusMessage(
                r->deletedImages.isEmpty()
                    ? tr("Removed the name %1").arg(shown)
                    : tr("Removed %1 and freed %2").arg(shown, formatBytes(r->reclaimedBytes)));
            Q_EMIT storeChanged();
        });
}

void ImagesPage::tagSelected() {
    const Engine::ImageRecord image = selectedImage();
    if (!image.id.isValid())
        return;
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("tagDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Tag image"));
    dialog->setLabelText(
        tr("New name for image %1 (for example myapp:1.0):").arg(image.id.shortId()));
    connect(dialog, &QInputDialog::textValueSelected, this, [this, image](const QString &text) {
        auto ref = Engine::Reference::parse(text.trimmed());
        if (!ref) {
            showError(this, tr("\"%1\" is not a valid image name.").arg(text), ref.error());
            return;
        }
        Engine::Engine *engine = &m_engine;
        const Engine::Reference reference = *ref;
        m_engine
            .async([engine, image, reference] { return engine->images().tag(image.id, reference); })
            .then(this, [this, reference](const Engine::Status &st) {
                if (!st) {
                    showError(this, tr("The image could not be tagged."), st.error());
                    return;
                }
                Q_EMIT statusMessage(tr("Tagged as %1").arg(reference.familiarString()));
                Q_EMIT storeChanged();
            });
    });
    dialog->open();
}

void ImagesPage::chooseArchiveToLoad() {
    auto *dialog = new QFileDialog(this, tr("Load images from an archive"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters(
        {tr("Image archives (*.tar *.tar.gz *.tgz *.tar.zst)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, &ImagesPage::loadArchive);
    dialog->open();
}

void ImagesPage::loadArchive(const QString &path) {
    auto state = m_progress->start(tr("Loading %1").arg(QFileInfo(path).fileName()),
                                   TaskProgress::Cancellable::Yes);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, path, state] {
            Engine::ArchiveTask task;
            task.cancel = &state->cancel;
            task.progress = [state](const Engine::ArchiveProgress &p) {
                state->done = p.done;
                state->total = p.total;
                state->setItem(p.item);
            };
            return engine->archives().loadPath(path, task);
        })
        .then(this, [this, path](const Engine::Result<QList<Engine::LoadedImage>> &r) {
            m_progress->finish();
            if (!r) {
                showError(this, tr("The images in %1 could not be loaded.").arg(path), r.error());
                return;
            }
            QStringList names;
            for (const Engine::LoadedImage &l : *r) {
                for (const Engine::Reference &t : l.tags)
                    names << t.familiarString();
                if (l.tags.isEmpty())
                    names << l.image.id.shortId();
            }
            Q_EMIT statusMessage(tr("Loaded %1").arg(names.join(QStringLiteral(", "))));
            Q_EMIT storeChanged();
        });
}

void ImagesPage::chooseSaveTarget() {
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    auto *dialog = new QFileDialog(this, tr("Save image %1").arg(name));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    const QString docker = tr("Docker archive, for docker/podman load (*.tar)");
    const QString oci = tr("OCI archive, for skopeo and umoci (*.tar)");
    dialog->setNameFilters({docker, oci});
    dialog->setDefaultSuffix(QStringLiteral("tar"));
    QString suggested = name.section(QLatin1Char('/'), -1);
    suggested.replace(QLatin1Char(':'), QLatin1Char('_'));
    dialog->selectFile(suggested + QStringLiteral(".tar"));
    connect(
        dialog, &QFileDialog::fileSelected, this, [this, dialog, name, oci](const QString &path) {
            saveImage(name,
                      dialog->selectedNameFilter() == oci ? Engine::ArchiveFormat::OciArchive
                                                          : Engine::ArchiveFormat::DockerArchive,
                      path);
        });
    dialog->open();
}

void ImagesPage::saveImage(const QString &name, Engine::ArchiveFormat format, const QString &path) {
    auto state = m_progress->start(tr("Saving %1").arg(name), TaskProgress::Cancellable::No);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, name, format, path, state] {
            Engine::ArchiveTask task;
            task.progress = [state](const Engine::ArchiveProgress &p) {
                state->done = p.done;
                state->total = p.total;
                state->setItem(p.item);
            };
            return engine->archives().saveToFile({name}, format, path, task);
        })
        .then(this, [this, name, path](const Engine::Status &st) {
            m_progress->finish();
            if (!st) {
                showError(this, tr("%1 could not be saved.").arg(name), st.error());
                return;
            }
            Q_EMIT statusMessage(tr("Saved %1 to %2").arg(name, path));
        });
}

void ImagesPage::chooseRootfsToImport() {
    auto *dialog = new QFileDialog(this, tr("Import a root filesystem tarball"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters(
        {tr("Tarballs (*.tar *.tar.gz *.tgz *.tar.xz *.tar.zst *.tar.bz2)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        auto *ask = new QInputDialog(this);
        ask->setAttribute(Qt::WA_DeleteOnClose);
        ask->setWindowTitle(tr("Import rootfs"));
        ask->setLabelText(tr("Name for the new image (empty: untagged):"));
        QString base = QFileInfo(path).fileName().section(QLatin1Char('.'), 0, 0).toLower();
        ask->setTextValue(base.isEmpty() ? QString() : base + QStringLiteral(":latest"));
        connect(
            ask, &QInputDialog::textValueSelected, this,
            [this, path](const QString &reference) { importRootfs(path, reference.trimmed()); });
        ask->open();
    });
    dialog->open();
}

void ImagesPage::importRootfs(const QString &path, const QString &reference) {
    auto state = m_progress->start(tr("Importing %1").arg(QFileInfo(path).fileName()),
                                   TaskProgress::Cancellable::No);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, path, reference, state] {
            Engine::ArchiveTask task;
            task.progress = [state](const Engine::ArchiveProgress &p) {
                state->done = p.done;
                state->total = p.total;
                state->setItem(p.item);
            };
            Engine::ImportOptions options;
            options.reference = reference;
            return engine->archives().importFile(path, options, task);
        })
        .then(this, [this, path](const Engine::Result<Engine::ImageRecord> &r) {
            m_progress->finish();
            if (!r) {
                showError(this, tr("%1 could not be imported.").arg(path), r.error());
                return;
            }
            Q_EMIT statusMessage(tr("Imported %1 as image %2").arg(path, r->id.shortId()));
            Q_EMIT storeChanged();
        });
}

} // namespace Berth::Gui
