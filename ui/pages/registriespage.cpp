// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/registriespage.h"

#include "engine/registry/browse.h"
#include "engine/registry/credentialstore.h"
#include "ui/errortext.h"
#include "ui/models/registriesmodel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStringListModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace Berth::Gui {

namespace {

// Docker's way of naming a registry: "docker.io" for Docker Hub whatever the user typed.
QString registryDomain(const QString &typed) {
    QString domain = typed.trimmed();
    if (domain.contains(QLatin1String("://")))
        domain = domain.section(QLatin1String("://"), 1);
    domain = domain.section(QLatin1Char('/'), 0, 0).toLower();
    if (domain.isEmpty() || domain == QLatin1String("index.docker.io") ||
        domain == QLatin1String("registry-1.docker.io"))
        return QStringLiteral("docker.io");
    return domain;
}

} // namespace

RegistriesPage::RegistriesPage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new RegistriesModel(this))
    , m_tags(new QStringListModel(this)) {
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Registries</h2>"), this));

    // Log in.
    auto *loginBox = new QGroupBox(tr("Log in to a registry"), this);
    auto *loginLayout = new QVBoxLayout(loginBox);
    auto *form = new QFormLayout;
    m_registry = new QLineEdit(QStringLiteral("docker.io"), loginBox);
    m_registry->setObjectName(QStringLiteral("loginRegistry"));
    m_registry->setPlaceholderText(tr("docker.io, ghcr.io, localhost:5000…"));
    m_user = new QLineEdit(loginBox);
    m_user->setObjectName(QStringLiteral("loginUser"));
    m_password = new QLineEdit(loginBox);
    m_password->setObjectName(QStringLiteral("loginPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("Password or access token"));
    form->addRow(tr("Registry:"), m_registry);
    form->addRow(tr("User name:"), m_user);
    form->addRow(tr("Password:"), m_password);
    m_fileStore = new QCheckBox(tr("This computer has no keychain: keep the password in a file "
                                   "only I can read"),
                                loginBox);
    m_fileStore->setObjectName(QStringLiteral("loginFileStore"));
    m_fileStore->setToolTip(tr("Like berthctl login --insecure-file-store. Anyone who can read "
                               "your files as you (or as root) can read the password."));
    form->addRow(QString(), m_fileStore);
    m_insecure = new QCheckBox(tr("Insecure registry: plain HTTP, or a certificate that cannot be "
                                  "verified"),
                               loginBox);
    m_insecure->setObjectName(QStringLiteral("loginInsecure"));
    m_insecure->setToolTip(
        tr("Like Docker's insecure-registries: remembered for every pull and push (in %1)")
            .arg(Engine::insecureRegistriesFile()));
    form->addRow(QString(), m_insecure);
    loginLayout->addLayout(form);
    auto *loginRow = new QHBoxLayout;
    m_login = new QPushButton(tr("Log in"), loginBox);
    m_login->setObjectName(QStringLiteral("loginButton"));
    m_loginStatus = new QLabel(loginBox);
    m_loginStatus->setObjectName(QStringLiteral("loginStatus"));
    m_loginStatus->setWordWrap(true);
    setStatusText(m_loginStatus,
                  tr("The registry checks the user name and password first; then "
                     "they are kept in the system keychain, never in a plain file."));
    loginRow->addWidget(m_login, 0, Qt::AlignTop);
    loginRow->addWidget(m_loginStatus, 1);
    loginLayout->addLayout(loginRow);
    layout->addWidget(loginBox);

    // Logged in.
    auto *knownBox = new QGroupBox(tr("Registries with credentials"), this);
    auto *knownLayout = new QVBoxLayout(knownBox);
    m_view = new QTableView(knownBox);
    m_view->setObjectName(QStringLiteral("registriesView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(RegistriesModel::Registry,
                                                     QHeaderView::Stretch);
    m_view->setMaximumHeight(m_view->fontMetrics().height() * 8);
    knownLayout->addWidget(m_view);
    auto *knownRow = new QHBoxLayout;
    m_logout = new QToolButton(knownBox);
    m_logout->setObjectName(QStringLiteral("logoutButton"));
    m_logout->setText(tr("Log out"));
    m_logout->setToolTip(tr("Forget the selected registry's credentials (Docker's own config "
                            "is left to docker logout)"));
    auto *reload = new QToolButton(knownBox);
    reload->setText(tr("Refresh"));
    knownRow->addWidget(m_logout);
    knownRow->addWidget(reload);
    knownRow->addStretch();
    knownLayout->addLayout(knownRow);
    layout->addWidget(knownBox);

    // Tags.
    auto *tagsBox = new QGroupBox(tr("Tags of a repository"), this);
    auto *tagsLayout = new QVBoxLayout(tagsBox);
    auto *repoRow = new QHBoxLayout;
    m_repository = new QLineEdit(tagsBox);
    m_repository->setObjectName(QStringLiteral("tagsRepository"));
    m_repository->setPlaceholderText(tr("Repository, for example busybox or "
                                        "localhost:5000/team/app"));
    m_repository->setClearButtonEnabled(true);
    m_listTags = new QPushButton(tr("List tags"), tagsBox);
    m_listTags->setObjectName(QStringLiteral("listTagsButton"));
    repoRow->addWidget(m_repository, 1);
    repoRow->addWidget(m_listTags);
    tagsLayout->addLayout(repoRow);
    m_tagsStatus = new QLabel(tagsBox);
    m_tagsStatus->setObjectName(QStringLiteral("tagsStatus"));
    m_tagsStatus->setWordWrap(true);
    tagsLayout->addWidget(m_tagsStatus);
    m_tagFilter = new QLineEdit(tagsBox);
    m_tagFilter->setPlaceholderText(tr("Filter tags"));
    m_tagFilter->setClearButtonEnabled(true);
    tagsLayout->addWidget(m_tagFilter);
    m_tagsProxy = new QSortFilterProxyModel(this);
    m_tagsProxy->setSourceModel(m_tags);
    m_tagsProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_tagsView = new QListView(tagsBox);
    m_tagsView->setObjectName(QStringLiteral("tagsView"));
    m_tagsView->setModel(m_tagsProxy);
    m_tagsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tagsView->setViewMode(QListView::ListMode);
    m_tagsView->setFlow(QListView::LeftToRight);
    m_tagsView->setWrapping(true);
    m_tagsView->setResizeMode(QListView::Adjust);
    m_tagsView->setSpacing(4);
    tagsLayout->addWidget(m_tagsView, 1);
    auto *pullRow = new QHBoxLayout;
    m_pullTag = new QPushButton(tr("Pull this tag"), tagsBox);
    m_pullTag->setObjectName(QStringLiteral("pullTagButton"));
    m_pullTag->setToolTip(tr("Pull the selected tag on the Images page (double-click)"));
    pullRow->addWidget(m_pullTag);
    pullRow->addStretch();
    tagsLayout->addLayout(pullRow);
    layout->addWidget(tagsBox, 1);

    connect(m_login, &QPushButton::clicked, this,
            [this] { logIn(m_registry->text(), m_user->text(), m_password->text()); });
    connect(m_password, &QLineEdit::returnPressed, m_login, &QPushButton::click);
    connect(m_logout, &QToolButton::clicked, this, &RegistriesPage::logOutSelected);
    connect(reload, &QToolButton::clicked, this, &RegistriesPage::refresh);
    connect(m_listTags, &QPushButton::clicked, this, [this] { listTags(m_repository->text()); });
    connect(m_repository, &QLineEdit::returnPressed, m_listTags, &QPushButton::click);
    connect(m_tagFilter, &QLineEdit::textChanged, m_tagsProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_pullTag, &QPushButton::clicked, this, [this] {
        if (const QString ref = selectedTagReference(); !ref.isEmpty())
            Q_EMIT pullRequested(ref);
    });
    connect(m_tagsView, &QListView::activated, this, [this] {
        if (const QString ref = selectedTagReference(); !ref.isEmpty())
            Q_EMIT pullRequested(ref);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RegistriesPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RegistriesPage::updateActions);
    connect(m_tagsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RegistriesPage::updateActions);
    connect(m_tagsProxy, &QAbstractItemModel::modelReset, this, &RegistriesPage::updateActions);
    updateActions();
}

void RegistriesPage::updateActions() {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const bool canLogOut =
        !rows.isEmpty() && rows.first().data(RegistriesModel::SourceRole).toInt() !=
                               int(Engine::CredentialStore::Source::DockerConfig);
    m_logout->setEnabled(canLogOut);
    m_pullTag->setEnabled(m_tagsView->selectionModel()->hasSelection());
}

QString RegistriesPage::selectedTagReference() const {
    const QModelIndexList selected = m_tagsView->selectionModel()->selectedIndexes();
    if (selected.isEmpty() || m_listedRepository.isEmpty())
        return {};
    return m_listedRepository + QLatin1Char(':') + selected.first().data().toString();
}

void RegistriesPage::refresh() {
    const int generation = ++m_refreshGeneration;
    m_engine.async([] { return Engine::CredentialStore().entries(); })
        .then(this, [this, generation](const QList<Engine::CredentialStore::Entry> &entries) {
            if (generation != m_refreshGeneration)
                return; // a newer refresh is on its way
            const QString selected =
                m_view->selectionModel()->hasSelection()
                    ? m_view->selectionModel()->selectedRows().first().data().toString()
                    : QString();
            m_model->setEntries(entries);
            for (int row = 0; row < m_model->rowCount(); ++row)
                if (m_model->index(row, 0).data().toString() == selected)
                    m_view->selectRow(row);
        });
}

void RegistriesPage::setLoginBusy(bool busy) {
    m_login->setEnabled(!busy);
    m_registry->setEnabled(!busy);
    m_user->setEnabled(!busy);
    m_password->setEnabled(!busy);
    m_fileStore->setEnabled(!busy);
    m_insecure->setEnabled(!busy);
}

void RegistriesPage::logIn(const QString &registry, const QString &user, const QString &password) {
    const QString domain = registryDomain(registry);
    if (user.trimmed().isEmpty() || password.isEmpty()) {
        setStatusText(m_loginStatus, tr("Enter a user name and a password (or access token)."));
        return;
    }
    setLoginBusy(true);
    setStatusText(m_loginStatus, tr("Checking the credentials with %1…").arg(domain));
    const Engine::Credentials credentials{user.trimmed(), password};
    const auto backend = m_fileStore->isChecked() ? Engine::CredentialStore::Backend::File
                                                  : Engine::CredentialStore::Backend::Keychain;
    const bool insecure = m_insecure->isChecked();
    m_engine
        .async([domain, credentials, backend, insecure]() -> Engine::Status {
            if (insecure)
                if (auto st = Engine::saveInsecureRegistry(domain); !st)
                    return st;
            const Engine::RegistryOptions options = Engine::RegistryOptions::fromEnvironment();
            if (auto st = Engine::checkCredentials(domain, options, credentials); !st)
                return st;
            return Engine::CredentialStore().store(domain, credentials, backend);
        })
        .then(this, [this, domain, backend](const Engine::Status &st) {
            setLoginBusy(false);
            if (!st) {
                const ErrorText text =
                    registryErrorText(tr("Could not log in to %1.").arg(domain), st.error());
                setStatusText(m_loginStatus, text.summary, text.detail);
                return;
            }
            m_password->clear();
            setStatusText(
                m_loginStatus,
                backend == Engine::CredentialStore::Backend::File
                    ? tr("Logged in to %1. The credentials are in a file only you can read: %2")
                          .arg(domain, Engine::CredentialStore().filePath())
                    : tr("Logged in to %1. The credentials are in the system keychain.")
                          .arg(domain));
            Q_EMIT statusMessage(tr("Logged in to %1").arg(domain));
            refresh();
        });
}

void RegistriesPage::logOutSelected() {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const QString domain = rows.first().data(RegistriesModel::DomainRole).toString();
    m_logout->setEnabled(false);
    m_engine.async([domain] { return Engine::CredentialStore().erase(domain); })
        .then(this, [this, domain](const Engine::Status &st) {
            if (!st) {
                showError(this, tr("Could not log out of %1.").arg(domain), st.error());
            } else {
                // Tokens obtained with the old credentials go too.
                Engine::clearRegistryAuthCache();
                Q_EMIT statusMessage(tr("Logged out of %1").arg(domain));
            }
            refresh();
        });
}

void RegistriesPage::listTags(const QString &repository) {
    const QString typed = repository.trimmed();
    if (typed.isEmpty())
        return;
    if (m_repository->text().trimmed() != typed)
        m_repository->setText(typed); // called from elsewhere (berth --tags): show what is listed
    auto ref = Engine::Reference::parseRepository(typed);
    if (!ref) {
        setStatusText(m_tagsStatus, tr("\"%1\" is not a repository name.").arg(typed),
                      ref.error().message);
        return;
    }
    const Engine::Reference reference = *ref;
    m_listTags->setEnabled(false);
    setStatusText(
        m_tagsStatus,
        tr("Asking %1 for the tags of %2…").arg(reference.domain(), reference.familiarName()));
    m_engine
        .async([reference]() -> Engine::Result<QStringList> {
            const Engine::Credentials credentials = Engine::CredentialStore()
                                                        .lookup(reference.domain())
                                                        .value_or(Engine::Credentials{});
            return Engine::listTags(reference, Engine::RegistryOptions::fromEnvironment(),
                                    credentials);
        })
        .then(this, [this, reference](const Engine::Result<QStringList> &tags) {
            m_listTags->setEnabled(true);
            if (!tags) {
                const ErrorText text = registryErrorText(
                    tr("The tags of %1 could not be listed.").arg(reference.familiarName()),
                    tags.error());
                setStatusText(m_tagsStatus, text.summary, text.detail);
                m_tags->setStringList({});
                m_listedRepository.clear();
                return;
            }
            QStringList sorted = *tags;
            sorted.sort();
            m_listedRepository = reference.familiarName();
            m_tags->setStringList(sorted);
            setStatusText(
                m_tagsStatus,
                sorted.isEmpty() ? tr("%1 has no tags.").arg(m_listedRepository)
                : sorted.size() == 1
                    ? tr("%1 has 1 tag. Double-click it to pull it.").arg(m_listedRepository)
                    : tr("%1 has %2 tags. Double-click one to pull it.")
                          .arg(m_listedRepository)
                          .arg(sorted.size()));
        });
}

} // namespace Berth::Gui
