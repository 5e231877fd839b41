// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/registry/registryclient.h"

#include <QString>
#include <optional>

namespace Berth::Engine {

// Registry credentials, by registry domain ("docker.io", "localhost:5000").
//
// Berth stores them in the desktop's secret service through QtKeychain, never in a plain
// file, unless the user explicitly opts into the file store (a 0600 JSON file in
// $XDG_CONFIG_HOME/berth, for machines with no secret service). Lookups also read the
// "auths" of the Docker CLI's config (~/.docker/config.json or $DOCKER_CONFIG), so a user
// logged in with docker or podman is logged in with Berth too.
//
// Blocking (keychain calls run a local event loop); call from a worker thread or the CLI.
class CredentialStore {
public:
    enum class Backend { Keychain, File };
    // Where a registry's credentials were found.
    enum class Source { Keychain, File, DockerConfig };
    struct Entry {
        QString domain;
        QString username;
        Source source = Source::Keychain;
    };

    CredentialStore();

    // The first of: keychain, file store, Docker config. Empty when none has an entry.
    std::optional<Credentials> lookup(const QString &domain) const;
    // An error of kind Unavailable, saying so, when no secret service is running.
    Status store(const QString &domain, const Credentials &credentials, Backend backend);
    // Forgets the domain's credentials in the keychain and the file store; NotFound when
    // neither had any. (The Docker config is Docker's and is left alone.)
    Status erase(const QString &domain);
    // Every registry with credentials, by domain, each from the source lookup() would use.
    // The secret service cannot be listed, so the domains stored there are kept in an index
    // file beside the file store (names only, no secret); store() and erase() maintain it.
    QList<Entry> entries() const;

    QString filePath() const { return m_filePath; }
    QString dockerConfigPath() const { return m_dockerConfig; }
    void setFilePath(const QString &path) { m_filePath = path; }
    void setDockerConfigPath(const QString &path) { m_dockerConfig = path; }

    // Whether a D-Bus session bus (and so maybe a secret service) can be reached at all.
    static bool sessionBusAvailable();

private:
    Result<std::optional<Credentials>> readKeychain(const QString &domain) const;
    std::optional<Credentials> readFile(const QString &domain) const;
    std::optional<Credentials> readDockerConfig(const QString &domain) const;
    QString indexPath() const;
    QStringList keychainIndex() const;
    void setInKeychainIndex(const QString &domain, bool present);

    QString m_filePath;
    QString m_dockerConfig;
};

} // namespace Berth::Engine
