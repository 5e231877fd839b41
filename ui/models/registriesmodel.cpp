// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/registriesmodel.h"

namespace Berth::Gui {

using Source = Engine::CredentialStore::Source;

RegistriesModel::RegistriesModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void RegistriesModel::setEntries(const QList<Engine::CredentialStore::Entry> &entries) {
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

int RegistriesModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_entries.size());
}

int RegistriesModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RegistriesModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Engine::CredentialStore::Entry &e = m_entries.at(index.row());
    switch (role) {
    case DomainRole:
        return e.domain;
    case SourceRole:
        return int(e.source);
    case Qt::ToolTipRole:
        if (index.column() != KeptIn)
            return {};
        switch (e.source) {
        case Source::Keychain:
            return tr("In the desktop's secret service (GNOME Keyring, KWallet), never in a "
                      "plain file");
        case Source::File:
            return tr("In a file only you can read, because no secret service was available "
                      "(berthctl login --insecure-file-store)");
        case Source::DockerConfig:
            return tr("From ~/.docker/config.json, where docker or podman login put it; "
                      "log out with those tools");
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Registry:
            return e.domain;
        case User:
            return e.username.isEmpty() ? tr("(token)") : e.username;
        case KeptIn:
            switch (e.source) {
            case Source::Keychain:
                return tr("System keychain");
            case Source::File:
                return tr("Private file");
            case Source::DockerConfig:
                return tr("Docker's config");
            }
        }
        return {};
    default:
        return {};
    }
}

QVariant RegistriesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Registry:
        return tr("Registry");
    case User:
        return tr("User");
    case KeptIn:
        return tr("Kept in");
    }
    return {};
}

} // namespace Berth::Gui
