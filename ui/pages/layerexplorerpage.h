// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"
#include "engine/engine.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTabWidget;
class QTimer;
class QToolButton;
class QTreeView;

namespace Berth::Gui {

class BuildStepsModel;
class ComparisonModel;
class FileTreeModel;
class LayersModel;
class PathHistoryModel;
class WastedModel;

// The dive experience for one image: its layers, the merged file tree at the selected layer
// with each change marked, filters, wasted space with the layers that stored and hid it, the
// efficiency score, a path's history, a preview of a text file at that layer, extraction, and
// comparison with another image. The analysis (cached by ImageAnalyzer) runs on the engine's
// pool; the models only read the finished, immutable LayerAnalysis.
class LayerExplorerPage : public QWidget {
    Q_OBJECT
public:
    explicit LayerExplorerPage(Engine::Engine &engine, QWidget *parent = nullptr);

    // The images to choose from (and to compare with).
    void setImages(const QList<Engine::ImageRecord> &images);
    QString currentImageId() const { return m_imageId; }

    LayersModel *layersModel() const { return m_layersModel; }
    FileTreeModel *treeModel() const { return m_treeModel; }
    WastedModel *wastedModel() const { return m_wastedModel; }
    PathHistoryModel *historyModel() const { return m_historyModel; }
    ComparisonModel *comparisonModel() const { return m_comparisonModel; }
    BuildStepsModel *buildStepsModel() const { return m_buildSteps; }
    QLabel *buildSummary() const { return m_buildSummary; }
    // Shows the left pane's tab: "wasted", "compare" or "build".
    void showTab(const QString &name);
    QTableView *layersView() const { return m_layersView; }
    QTreeView *treeView() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPlainTextEdit *preview() const { return m_preview; }

public Q_SLOTS:
    void openImage(const QString &imageId);
    void selectLayer(int layer);
    // Selects a path in the tree (expanding its parents); false when not shown at this layer.
    bool selectPath(const QString &path);
    void compareWith(const QString &imageId);
    void extractSelected(const QString &destination);

Q_SIGNALS:
    void analysisShown();
    void provenanceShown();
    void previewShown();
    void comparisonShown();
    void statusMessage(const QString &text);

private:
    void showAnalysis(const Engine::LayerAnalysis &analysis);
    void applyFilter();
    void currentPathChanged();
    void showPreview(const Engine::FileNode &node, const QString &path, bool deleted);
    void chooseExtractTarget();
    void updateSummary();
    void loadProvenance(const QString &imageId);
    void showLayerProvenance(int layer);

    Engine::Engine &m_engine;
    QList<Engine::ImageRecord> m_images;
    QString m_imageId;
    Engine::LayerAnalysis m_analysis;
    quint64 m_request = 0;  // drops answers to superseded requests
    bool m_opening = false; // openImage() refills the lists; its image may be newer than them
    quint64 m_previewRequest = 0;

    QComboBox *m_imageBox = nullptr;
    QLabel *m_summary = nullptr;
    LayersModel *m_layersModel = nullptr;
    QTableView *m_layersView = nullptr;
    FileTreeModel *m_treeModel = nullptr;
    QTreeView *m_tree = nullptr;
    QComboBox *m_scope = nullptr;
    QToolButton *m_showAdded = nullptr;
    QToolButton *m_showModified = nullptr;
    QToolButton *m_showDeleted = nullptr;
    QToolButton *m_showUnchanged = nullptr;
    QLineEdit *m_filter = nullptr;
    QTimer *m_filterTimer = nullptr;
    QLabel *m_treeStatus = nullptr;
    QTabWidget *m_detailTabs = nullptr;
    QLabel *m_previewTitle = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QPushButton *m_extract = nullptr;
    PathHistoryModel *m_historyModel = nullptr;
    QTableView *m_historyView = nullptr;
    QLabel *m_wastedSummary = nullptr;
    WastedModel *m_wastedModel = nullptr;
    QTableView *m_wastedView = nullptr;
    QTabWidget *m_leftTabs = nullptr;
    QComboBox *m_compareBox = nullptr;
    QPushButton *m_compareButton = nullptr;
    QLabel *m_compareSummary = nullptr;
    ComparisonModel *m_comparisonModel = nullptr;
    QTableView *m_comparisonView = nullptr;
    BuildStepsModel *m_buildSteps = nullptr;
    QTableView *m_buildView = nullptr;
    QLabel *m_buildSummary = nullptr;
    QWidget *m_buildPage = nullptr;
    bool m_hasProvenance = false;
    quint64 m_provenanceRequest = 0;
};

} // namespace Berth::Gui
