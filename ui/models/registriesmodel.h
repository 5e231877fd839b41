// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/registry/credentialstore.h"

#include <QAbstractTableModel>

namespace Berth::Gui {

// The registries Berth has credentials for: which user, and where the secret is kept (the
// system keychain, Berth's own file, or Docker's config that Berth reads). No widget code:
// tested with QAbstractItemModelTester.
class RegistriesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Registry, User, KeptIn, ColumnCount };
    enum Role { DomainRole = Qt::UserRole + 1, SourceRole };

    explicit RegistriesModel(QObject *parent = nullptr);
    void setEntries(const QList<Engine::CredentialStore::Entry> &entries);
    QList<Engine::CredentialStore::Entry> entries() const { return m_entries; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Engine::CredentialStore::Entry> m_entries;
};

} // namespace Berth::Gui
