// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QStringList>

namespace Berth::Gui {

// What the layer map shows, read from the stores in one go (on the engine's pool): every image
// with its layers, each layer's own size and the command that created it, and every container
// with the bytes its read-write layer holds.
struct LayerMapData {
    struct Layer {
        Engine::Digest chainId;
        Engine::Digest diffId;
        qint64 size = -1;  // bytes of this layer's own files (-1: its snapshot is missing)
        QString createdBy; // from the first image's history that names it
    };
    struct Container {
        Engine::ContainerRecord record;
        qint64 rwBytes = 0;
    };
    QList<Engine::ImageRecord> images;
    QHash<QString, Layer> layers; // by chain ID
    QList<Container> containers;
};

// Reads everything the map needs. Blocking (config blobs, read-write layer sizes): call it on
// the engine's pool.
LayerMapData readLayerMap(Engine::Engine &engine);

// Every image in the store as one tree of shared layers: a layer's parent is the layer below
// it (by chain ID, so a base layer that several images share is one node), an image hangs off
// its top layer, and each container hangs off its image as its own read-write layer. Roots are
// the base layers (and images without layers). Children are ordered layers first, then images,
// then containers, each by name, so the same store always gives the same tree.
// No widget code: the map view and tests read it; tested with QAbstractItemModelTester.
class LayerMapModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum class NodeKind { Layer, Image, Container };
    enum Column { Name, Kind, Size, UsedBy, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, // int(NodeKind)
        KeyRole,                     // stable: "layer:<chain>", "image:<id>", "container:<id>"
        IdRole,                      // the chain ID, image ID or container ID
        DigestRole,                  // a layer's diffID, an image's manifest digest
        CommandRole,                 // what created a layer; a container's command
        SizeRole,                    // qint64: layer bytes, image total, read-write bytes
        ImagesRole,                  // QStringList: images using a layer (image: its names)
        ContainersRole,              // QStringList: containers using a layer or an image
        RunningRole,                 // bool: a running container
        SharedRole,                  // bool: a layer more than one image uses
        SortRole,
    };

    explicit LayerMapModel(QObject *parent = nullptr);

    void setData(const LayerMapData &data);
    // Statistics for a summary line.
    int imageCount() const { return m_imageCount; }
    int layerCount() const { return m_layerCount; }
    int containerCount() const { return m_containerCount; }
    int sharedLayerCount() const { return m_sharedLayerCount; }
    QModelIndex indexOfKey(const QString &key) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Node {
        NodeKind kind = NodeKind::Layer;
        QString key;
        QString id;
        QString title;
        QString digest;
        QString command;
        qint64 size = 0;
        QStringList images;
        QStringList containers;
        bool running = false;
        int parent = -1; // -1: a root
        int row = 0;
        QList<int> children;
    };
    const Node *nodeAt(const QModelIndex &index) const;
    QModelIndex indexOfNode(int node, int column = 0) const;

    std::vector<Node> m_nodes;
    QList<int> m_roots;
    QHash<QString, int> m_byKey;
    int m_imageCount = 0;
    int m_layerCount = 0;
    int m_containerCount = 0;
    int m_sharedLayerCount = 0;
};

// How an image is called on the map: its familiar tags ("busybox:latest, x:1"), or its short
// ID when untagged.
QString imageDisplayName(const Engine::ImageRecord &image);

} // namespace Berth::Gui
