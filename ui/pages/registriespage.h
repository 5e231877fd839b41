// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSortFilterProxyModel;
class QStringListModel;
class QTableView;
class QToolButton;

namespace Berth::Gui {

class RegistriesModel;

// Registries: log in (the credentials are checked with the registry, then kept in the system
// keychain, or on request where there is none in a file only the user can read), see which
// registries Berth has credentials for and from where, log out, and list the tags of a repository
// (and pull one). Every call runs on the engine's pool; the keychain and the network never block
// the window.
class RegistriesPage : public QWidget {
    Q_OBJECT
public:
    explicit RegistriesPage(Engine::Engine &engine, QWidget *parent = nullptr);

    RegistriesModel *model() const { return m_model; }
    QStringListModel *tagsModel() const { return m_tags; }
    QLabel *loginStatus() const { return m_loginStatus; }
    QLabel *tagsStatus() const { return m_tagsStatus; }

public Q_SLOTS:
    void refresh();
    void logIn(const QString &registry, const QString &user, const QString &password);
    void logOutSelected();
    void listTags(const QString &repository);

Q_SIGNALS:
    void pullRequested(const QString &reference);
    void statusMessage(const QString &text);

private:
    void setLoginBusy(bool busy);
    void updateActions();
    QString selectedTagReference() const;

    Engine::Engine &m_engine;
    RegistriesModel *m_model = nullptr;
    QStringListModel *m_tags = nullptr;
    QSortFilterProxyModel *m_tagsProxy = nullptr;
    QLineEdit *m_registry = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_fileStore = nullptr;
    QCheckBox *m_insecure = nullptr;
    QPushButton *m_login = nullptr;
    QLabel *m_loginStatus = nullptr;
    QTableView *m_view = nullptr;
    QToolButton *m_logout = nullptr;
    QLineEdit *m_repository = nullptr;
    QPushButton *m_listTags = nullptr;
    QLineEdit *m_tagFilter = nullptr;
    QListView *m_tagsView = nullptr;
    QLabel *m_tagsStatus = nullptr;
    QPushButton *m_pullTag = nullptr;
    QString m_listedRepository; // the repository m_tags holds, as typed
    int m_refreshGeneration = 0;
};

} // namespace Berth::Gui
