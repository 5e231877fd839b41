// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"
#include "engine/operations/archiveoperations.h"

#include <QWidget>

class QFrame;
class QMessageBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QToolButton;

namespace Berth::Gui {

class ImagesModel;
class PullBox;
class TaskProgress;

// The images in the store with the actions on them: pull (with the plan and progress), push,
// remove (saying what it frees), tag, load, save, import a root filesystem, and open one in the
// layer explorer. Every engine call runs on
// the engine's pool; dialogs are opened with open(), never exec(), so no nested event loop.
class ImagesPage : public QWidget {
    Q_OBJECT
public:
    ImagesPage(Engine::Engine &engine, ImagesModel *model, TaskProgress *progress,
               QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    // The reference (or ID for an untagged image) of the selected row; empty when none.
    QString selectedName() const;
    Engine::ImageRecord selectedImage() const;
    bool selectRow(const QString &reference);
    // After the starter image was created: a banner offering to run a first container from
    // `reference`, the newcomer's next step.
    void offerFirstRun(const QString &reference);
    QFrame *firstRunBanner() const { return m_firstRun; }
    PullBox *pullBox() const { return m_pullBox; }
    // The row to select after the next refresh: an image just pulled, else the current one.
    QString takeSelectionAfterRefresh();
    void selectAfterRefresh(const QString &reference) { m_selectAfterRefresh = reference; }

public Q_SLOTS:
    // Asks for confirmation (naming what removal frees), then removes the selected image.
    void removeSelected();
    void tagSelected();
    // Asks where to push the selected image (its own name by default), then pushes it with
    // the progress in the pull box's panel.
    void pushSelected();
    void push(const QString &source, const QString &target);
    void pull(const QString &name);
    void chooseArchiveToLoad();
    void chooseSaveTarget();
    void chooseRootfsToImport();
    void loadArchive(const QString &path);
    void saveImage(const QString &name, Engine::ArchiveFormat format, const QString &path);
    void importRootfs(const QString &path, const QString &reference);

Q_SIGNALS:
    void exploreRequested(const QString &imageId);
    // Run a container from `image` (a reference); `command` prefills the Run dialog.
    void runRequested(const QString &image, const QString &command);
    void storeChanged();
    // One-line outcome of an action, for the status bar.
    void statusMessage(const QString &text);

private:
    void updateActions();
    void askRemove(const QString &name, const QString &shown, const Engine::RemovalReport &plan);
    void askRemoveWithContainers(const QString &name, const QString &shown,
                                 const QList<Engine::ContainerRecord> &users);
    QMessageBox *removalQuestion(const QString &text);
    void removeImage(const QString &name, const QString &shown, const QStringList &containerIds);

    Engine::Engine &m_engine;
    ImagesModel *m_model = nullptr;
    TaskProgress *m_progress = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QToolButton *m_remove = nullptr;
    QToolButton *m_tag = nullptr;
    QToolButton *m_push = nullptr;
    PullBox *m_pullBox = nullptr;
    QString m_selectAfterRefresh;
    QToolButton *m_save = nullptr;
    QToolButton *m_explore = nullptr;
    QToolButton *m_run = nullptr;
    QFrame *m_firstRun = nullptr;
    QLabel *m_firstRunText = nullptr;
    QString m_firstRunImage;
};

} // namespace Berth::Gui
