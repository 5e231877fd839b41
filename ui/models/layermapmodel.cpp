// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/layermapmodel.h"

#include "ui/models/containersmodel.h"
#include "ui/models/presentation.h"

#include <algorithm>

namespace Berth::Gui {

QString imageDisplayName(const Engine::ImageRecord &image) {
    QStringList names;
    for (const QString &tag : image.tags) {
        if (auto ref = Engine::Reference::parse(tag))
            names << ref->familiarString();
        else
            names << tag;
    }
    names.sort();
    return names.isEmpty() ? image.id.shortId() : names.join(QStringLiteral(", "));
}

LayerMapData readLayerMap(Engine::Engine &engine) {
    LayerMapData data;
    data.images = engine.images().list();
    QHash<QString, qint64> sizes;
    for (const Engine::SnapshotInfo &s : engine.images().layers())
        sizes.insert(s.chainId.hex(), s.size);
    for (const Engine::ImageRecord &image : std::as_const(data.images)) {
        // History entries that made no layer (ENV, CMD...) are not layers.
        QList<Engine::HistoryEntry> history;
        if (auto config = engine.images().config(image)) {
            history = config->history();
            history.removeIf([](const Engine::HistoryEntry &h) { return h.emptyLayer; });
        }
        for (qsizetype i = 0; i < image.layers.size(); ++i) {
            const Engine::LayerRecord &l = image.layers.at(i);
            LayerMapData::Layer &layer = data.layers[l.chainId.hex()];
            if (!layer.chainId.isValid()) {
                layer.chainId = l.chainId;
                layer.diffId = l.diffId;
                layer.size = sizes.value(l.chainId.hex(), -1);
            }
            if (layer.createdBy.isEmpty() && i < history.size())
                layer.createdBy = history.at(i).createdBy.simplified();
        }
    }
    for (const Engine::ContainerRecord &c : engine.containers().list())
        data.containers.append({c, engine.containers().rwSize(c.id)});
    return data;
}

LayerMapModel::LayerMapModel(QObject *parent)
    : QAbstractItemModel(parent) {}

void LayerMapModel::setData(const LayerMapData &data) {
    beginResetModel();
    m_nodes.clear();
    m_roots.clear();
    m_byKey.clear();
    m_imageCount = int(data.images.size());
    m_layerCount = int(data.layers.size());
    m_containerCount = int(data.containers.size());
    m_sharedLayerCount = 0;

    auto addNode = [this](Node node) {
        const int i = int(m_nodes.size());
        m_byKey.insert(node.key, i);
        m_nodes.push_back(std::move(node));
        return i;
    };
    QHash<QString, QStringList> containersOfImage;
    QHash<QString, bool> imageRunning;
    for (const LayerMapData::Container &c : data.containers) {
        containersOfImage[c.record.imageId.hex()] << c.record.name;
        imageRunning[c.record.imageId.hex()] |= c.record.isRunning();
    }

    // Layers, linked to the layer below; each knows which images and containers stand on it.
    std::vector<int> parents;
    QHash<QString, QString> imageNames;
    for (const Engine::ImageRecord &image : data.images) {
        const QString name = imageDisplayName(image);
        imageNames.insert(image.id.hex(), name);
        QString below;
        for (const Engine::LayerRecord &l : image.layers) {
            const QString key = QStringLiteral("layer:") + l.chainId.hex();
            auto it = m_byKey.constFind(key);
            int node;
            if (it == m_byKey.constEnd()) {
                const LayerMapData::Layer layer = data.layers.value(l.chainId.hex());
                Node n;
                n.kind = NodeKind::Layer;
                n.key = key;
                n.id = l.chainId.toString();
                n.title = l.diffId.shortId();
                n.digest = l.diffId.toString();
                n.command = layer.createdBy;
                n.size = layer.size >= 0 ? layer.size : l.blob.size;
                node = addNode(n);
                parents.push_back(below.isEmpty() ? -1 : m_byKey.value(below));
            } else {
                node = *it;
            }
            m_nodes[node].images << name;
            m_nodes[node].containers << containersOfImage.value(image.id.hex());
            below = key;
        }
        Node n;
        n.kind = NodeKind::Image;
        n.key = QStringLiteral("image:") + image.id.hex();
        n.id = image.id.toString();
        n.title = name;
        n.digest = image.manifestDigest.toString();
        n.size = image.size;
        n.images = image.tags;
        n.containers = containersOfImage.value(image.id.hex());
        n.running = imageRunning.value(image.id.hex());
        addNode(n);
        parents.push_back(below.isEmpty() ? -1 : m_byKey.value(below));
    }
    // Containers under their image (a container whose image is gone is a root of its own).
    for (const LayerMapData::Container &c : data.containers) {
        Node n;
        n.kind = NodeKind::Container;
        n.key = QStringLiteral("container:") + c.record.id;
        n.id = c.record.id;
        n.title = c.record.name;
        n.command = containerCommandText(c.record);
        n.size = c.rwBytes;
        n.images = {imageNames.value(c.record.imageId.hex(), c.record.spec.image)};
        n.running = c.record.isRunning();
        addNode(n);
        parents.push_back(m_byKey.value(QStringLiteral("image:") + c.record.imageId.hex(), -1));
    }

    for (Node &n : m_nodes) {
        n.images.removeDuplicates();
        n.containers.removeDuplicates();
        n.images.sort();
        n.containers.sort();
        if (n.kind == NodeKind::Layer && n.images.size() > 1)
            ++m_sharedLayerCount;
    }
    for (int i = 0; i < int(m_nodes.size()); ++i) {
        m_nodes[i].parent = parents[i];
        if (parents[i] < 0)
            m_roots << i;
        else
            m_nodes[parents[i]].children << i;
    }
    auto order = [this](int a, int b) {
        const Node &x = m_nodes[a];
        const Node &y = m_nodes[b];
        if (x.kind != y.kind)
            return int(x.kind) < int(y.kind);
        return x.title == y.title ? x.key < y.key : x.title < y.title;
    };
    std::sort(m_roots.begin(), m_roots.end(), order);
    for (int i = 0; i < m_roots.size(); ++i)
        m_nodes[m_roots[i]].row = i;
    for (Node &n : m_nodes) {
        std::sort(n.children.begin(), n.children.end(), order);
        for (int i = 0; i < n.children.size(); ++i)
            m_nodes[n.children[i]].row = i;
    }
    endResetModel();
}

QModelIndex LayerMapModel::indexOfKey(const QString &key) const {
    auto it = m_byKey.constFind(key);
    return it == m_byKey.constEnd() ? QModelIndex() : indexOfNode(*it);
}

const LayerMapModel::Node *LayerMapModel::nodeAt(const QModelIndex &index) const {
    if (!index.isValid())
        return nullptr;
    const auto i = quintptr(index.internalId());
    return i < m_nodes.size() ? &m_nodes[i] : nullptr;
}

QModelIndex LayerMapModel::indexOfNode(int node, int column) const {
    return createIndex(m_nodes[node].row, column, quintptr(node));
}

QModelIndex LayerMapModel::index(int row, int column, const QModelIndex &parent) const {
    if (!hasIndex(row, column, parent))
        return {};
    const Node *p = nodeAt(parent);
    const QList<int> &list = p ? p->children : m_roots;
    return indexOfNode(list.at(row), column);
}

QModelIndex LayerMapModel::parent(const QModelIndex &child) const {
    const Node *n = nodeAt(child);
    if (!n || n->parent < 0)
        return {};
    return indexOfNode(n->parent);
}

int LayerMapModel::rowCount(const QModelIndex &parent) const {
    if (parent.column() > 0)
        return 0;
    const Node *p = nodeAt(parent);
    return int(p ? p->children.size() : m_roots.size());
}

int LayerMapModel::columnCount(const QModelIndex &) const {
    return ColumnCount;
}

QVariant LayerMapModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node &n = m_nodes[quintptr(index.internalId())];
    switch (role) {
    case KindRole:
        return int(n.kind);
    case KeyRole:
        return n.key;
    case IdRole:
        return n.id;
    case DigestRole:
        return n.digest;
    case CommandRole:
        return n.command;
    case SizeRole:
        return n.size;
    case ImagesRole:
        return n.images;
    case ContainersRole:
        return n.containers;
    case RunningRole:
        return n.running;
    case SharedRole:
        return n.kind == NodeKind::Layer && n.images.size() > 1;
    case Qt::ToolTipRole: // the whole name or command, which the map may elide
        return n.kind == NodeKind::Layer
                   ? n.command + QLatin1Char('\n') + n.digest
                   : n.title + QLatin1Char('\n') + (n.kind == NodeKind::Image ? n.id : n.command);
    case SortRole:
        if (index.column() == Size)
            return n.size;
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return n.kind == NodeKind::Layer && !n.command.isEmpty()
                       ? n.title + QStringLiteral("  ") + n.command
                       : n.title;
        case Kind:
            return n.kind == NodeKind::Layer   ? tr("Layer")
                   : n.kind == NodeKind::Image ? tr("Image")
                                               : tr("Container");
        case Size:
            return formatBytes(n.size);
        case UsedBy:
            if (n.kind == NodeKind::Layer)
                return tr("%1 images, %2 containers").arg(n.images.size()).arg(n.containers.size());
            if (n.kind == NodeKind::Image)
                return tr("%1 containers").arg(n.containers.size());
            return {};
        }
        return {};
    default:
        return {};
    }
}

QVariant LayerMapModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Kind:
        return tr("Kind");
    case Size:
        return tr("Size");
    case UsedBy:
        return tr("Used by");
    }
    return {};
}

} // namespace Berth::Gui
