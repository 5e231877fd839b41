// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/images/reference.h"
#include "engine/registry/registryclient.h"

#include <QStringList>

namespace Berth::Engine {

// Browsing a registry (blocking, like every RegistryClient call: run on a worker thread).

// All tags of a repository, following the Link header's pages; `pageSize` > 0 asks for pages
// of that many (the registry may choose fewer).
Result<QStringList> listTags(const Reference &repository, const RegistryOptions &options,
                             const Credentials &credentials, int pageSize = 0);

// The registry's catalog (/v2/_catalog), following pages. Registries that do not allow it
// answer with an error of kind PermissionDenied or NotFound, saying so.
Result<QStringList> listCatalog(const QString &domain, const RegistryOptions &options,
                                const Credentials &credentials, int pageSize = 0);

// Checks `credentials` against the registry (GET /v2/ with the registry's auth flow):
// PermissionDenied when they are refused.
Status checkCredentials(const QString &domain, const RegistryOptions &options,
                        const Credentials &credentials);

} // namespace Berth::Engine
