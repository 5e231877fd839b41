// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/layerexplorerpage.h"

#include "engine/operations/analysisoperations.h"
#include "engine/operations/buildoperations.h"
#include "ui/errortext.h"
#include "ui/models/analysistablemodels.h"
#include "ui/models/buildstepsmodel.h"
#include "ui/models/filetreemodel.h"
#include "ui/models/layersmodel.h"
#include "ui/models/presentation.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStringDecoder>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Berth::Gui {

using Engine::FileNode;
using Engine::FileType;
using Engine::LayerAnalysis;
using Engine::PathId;

namespace {

constexpr qint64 kPreviewLimit = 256 * 1024; // enough to read a config file, cheap to show
constexpr int kExpandLimit = 2000;           // expand a filtered tree only when it is small

struct Preview {
    enum class Kind { Text, Binary, Error };
    Kind kind = Kind::Text;
    QString text;
    qint64 size = 0;
    bool truncated = false;
};

// The start of a file as text; refuses what does not look like text.
Preview previewOf(const Engine::Result<Engine::FileHead> &head) {
    Preview p;
    if (!head) {
        p.kind = Preview::Kind::Error;
        p.text = head.error().message;
        return p;
    }
    p.size = head->size;
    const QByteArray &bytes = head->bytes;
    p.truncated = p.size > bytes.size();
    if (bytes.left(8192).contains('\0')) {
        p.kind = Preview::Kind::Binary;
        return p;
    }
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder(bytes);
    // A cut in the middle of a UTF-8 sequence at the limit is not a reason to refuse.
    if (decoder.hasError() && !p.truncated) {
        p.kind = Preview::Kind::Binary;
        return p;
    }
    p.text = std::move(text);
    return p;
}

QToolButton *filterButton(Engine::ChangeKind kind, QWidget *parent) {
    auto *b = new QToolButton(parent);
    b->setCheckable(true);
    b->setChecked(true);
    b->setIcon(changeIcon(kind));
    b->setText(changeKindName(kind));
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    return b;
}

void stretchColumn(QHeaderView *header, int column) {
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(column, QHeaderView::Stretch);
    header->setStretchLastSection(false);
}

QTableView *makeTable(QAbstractItemModel *model, const QString &objectName, QWidget *parent) {
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->setWordWrap(false);
    return view;
}

} // namespace

LayerExplorerPage::LayerExplorerPage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_layersModel(new LayersModel(this))
    , m_treeModel(new FileTreeModel(this))
    , m_historyModel(new PathHistoryModel(this))
    , m_wastedModel(new WastedModel(this))
    , m_comparisonModel(new ComparisonModel(this))
    , m_buildSteps(new BuildStepsModel(this)) {
    auto *layout = new QVBoxLayout(this);

    auto *top = new QHBoxLayout;
    auto *imageLabel = new QLabel(tr("&Image:"), this);
    m_imageBox = new QComboBox(this);
    m_imageBox->setObjectName(QStringLiteral("explorerImage"));
    m_imageBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    imageLabel->setBuddy(m_imageBox);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("explorerSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(imageLabel);
    top->addWidget(m_imageBox);
    top->addSpacing(12);
    top->addWidget(m_summary, 1);
    layout->addLayout(top);

    auto *split = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(split, 1);

    // Left: layers, then wasted space and comparison.
    auto *left = new QSplitter(Qt::Vertical, split);
    m_layersView = makeTable(m_layersModel, QStringLiteral("layersView"), left);
    stretchColumn(m_layersView->horizontalHeader(), LayersModel::Command);
    m_layersView->setToolTip(tr("Select a layer to see the filesystem as it is after it"));
    auto *leftTabs = new QTabWidget(left);
    m_leftTabs = leftTabs;

    auto *wastedPage = new QWidget(leftTabs);
    auto *wastedLayout = new QVBoxLayout(wastedPage);
    m_wastedSummary = new QLabel(wastedPage);
    m_wastedSummary->setObjectName(QStringLiteral("wastedSummary"));
    m_wastedSummary->setWordWrap(true);
    m_wastedSummary->setTextFormat(Qt::RichText);
    m_wastedView = makeTable(m_wastedModel, QStringLiteral("wastedView"), wastedPage);
    stretchColumn(m_wastedView->horizontalHeader(), WastedModel::Path);
    wastedLayout->addWidget(m_wastedSummary);
    wastedLayout->addWidget(m_wastedView, 1);
    leftTabs->addTab(wastedPage, tr("Wasted space"));

    auto *comparePage = new QWidget(leftTabs);
    auto *compareLayout = new QVBoxLayout(comparePage);
    auto *compareBar = new QHBoxLayout;
    m_compareBox = new QComboBox(comparePage);
    m_compareBox->setObjectName(QStringLiteral("compareImage"));
    m_compareButton = new QPushButton(tr("Compare"), comparePage);
    m_compareButton->setObjectName(QStringLiteral("compareButton"));
    compareBar->addWidget(new QLabel(tr("With:"), comparePage));
    compareBar->addWidget(m_compareBox, 1);
    compareBar->addWidget(m_compareButton);
    m_compareSummary = new QLabel(tr("Choose another image to see which layers the two share "
                                     "and which files differ."),
                                  comparePage);
    m_compareSummary->setObjectName(QStringLiteral("compareSummary"));
    m_compareSummary->setWordWrap(true);
    m_comparisonView = makeTable(m_comparisonModel, QStringLiteral("comparisonView"), comparePage);
    stretchColumn(m_comparisonView->horizontalHeader(), ComparisonModel::Path);
    compareLayout->addLayout(compareBar);
    compareLayout->addWidget(m_compareSummary);
    compareLayout->addWidget(m_comparisonView, 1);
    leftTabs->addTab(comparePage, tr("Compare"));

    // How the image was built, for images Berth built: the Dockerfile line behind each layer,
    // and whether it came from the build cache or ran (and why).
    m_buildPage = new QWidget(leftTabs);
    auto *buildLayout = new QVBoxLayout(m_buildPage);
    m_buildSummary = new QLabel(m_buildPage);
    m_buildSummary->setObjectName(QStringLiteral("buildProvenance"));
    m_buildSummary->setWordWrap(true);
    m_buildSummary->setTextFormat(Qt::RichText);
    m_buildSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_buildView = makeTable(m_buildSteps, QStringLiteral("buildStepsView"), m_buildPage);
    stretchColumn(m_buildView->horizontalHeader(), BuildStepsModel::Instruction);
    buildLayout->addWidget(m_buildSummary);
    buildLayout->addWidget(m_buildView, 1);
    leftTabs->addTab(m_buildPage, tr("Build"));
    left->setStretchFactor(0, 2);
    left->setStretchFactor(1, 3);

    // Right: the file tree, then preview and history.
    auto *right = new QSplitter(Qt::Vertical, split);
    auto *treePane = new QWidget(right);
    auto *treeLayout = new QVBoxLayout(treePane);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    auto *filters = new QHBoxLayout;
    m_scope = new QComboBox(treePane);
    m_scope->setObjectName(QStringLiteral("treeScope"));
    m_scope->addItem(tr("Everything up to this layer"));
    m_scope->addItem(tr("Only this layer's changes"));
    m_showAdded = filterButton(Engine::ChangeKind::Added, treePane);
    m_showModified = filterButton(Engine::ChangeKind::Modified, treePane);
    m_showDeleted = filterButton(Engine::ChangeKind::Deleted, treePane);
    m_showUnchanged = new QToolButton(treePane);
    m_showUnchanged->setCheckable(true);
    m_showUnchanged->setChecked(true);
    m_showUnchanged->setText(tr("Unchanged"));
    m_filter = new QLineEdit(treePane);
    m_filter->setObjectName(QStringLiteral("pathFilter"));
    m_filter->setPlaceholderText(tr("Filter by path"));
    m_filter->setClearButtonEnabled(true);
    filters->addWidget(m_scope);
    filters->addWidget(m_showAdded);
    filters->addWidget(m_showModified);
    filters->addWidget(m_showDeleted);
    filters->addWidget(m_showUnchanged);
    filters->addWidget(m_filter, 1);
    treeLayout->addLayout(filters);
    m_tree = new QTreeView(treePane);
    m_tree->setObjectName(QStringLiteral("fileTree"));
    m_tree->setModel(m_treeModel);
    m_tree->setUniformRowHeights(true); // a big tree scrolls without measuring every row
    m_tree->setAlternatingRowColors(true);
    stretchColumn(m_tree->header(), FileTreeModel::Name);
    treeLayout->addWidget(m_tree, 1);
    m_treeStatus = new QLabel(treePane);
    m_treeStatus->setObjectName(QStringLiteral("treeStatus"));
    treeLayout->addWidget(m_treeStatus);

    m_detailTabs = new QTabWidget(right);
    auto *previewPage = new QWidget(m_detailTabs);
    auto *previewLayout = new QVBoxLayout(previewPage);
    auto *previewBar = new QHBoxLayout;
    m_previewTitle = new QLabel(tr("Select a file to preview it."), previewPage);
    m_previewTitle->setObjectName(QStringLiteral("previewTitle"));
    m_previewTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_extract = new QPushButton(tr("Extract to…"), previewPage);
    m_extract->setObjectName(QStringLiteral("extractButton"));
    m_extract->setEnabled(false);
    previewBar->addWidget(m_previewTitle, 1);
    previewBar->addWidget(m_extract);
    m_preview = new QPlainTextEdit(previewPage);
    m_preview->setObjectName(QStringLiteral("preview"));
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    previewLayout->addLayout(previewBar);
    previewLayout->addWidget(m_preview, 1);
    m_detailTabs->addTab(previewPage, tr("Preview"));
    m_historyView = makeTable(m_historyModel, QStringLiteral("historyView"), m_detailTabs);
    stretchColumn(m_historyView->horizontalHeader(), PathHistoryModel::Details);
    m_detailTabs->addTab(m_historyView, tr("History of this path"));
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    // Room for the layer commands and wasted paths; the tree keeps the larger part.
    split->setSizes({540, 760});
    m_wastedView->setTextElideMode(Qt::ElideMiddle);
    m_comparisonView->setTextElideMode(Qt::ElideMiddle);

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(150); // typing a word filters once, not per key
    connect(m_filterTimer, &QTimer::timeout, this, &LayerExplorerPage::applyFilter);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::returnPressed, this, &LayerExplorerPage::applyFilter);
    for (QToolButton *b : {m_showAdded, m_showModified, m_showDeleted, m_showUnchanged})
        connect(b, &QToolButton::toggled, this, &LayerExplorerPage::applyFilter);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &LayerExplorerPage::applyFilter);
    connect(m_imageBox, &QComboBox::activated, this,
            [this](int index) { openImage(m_imageBox->itemData(index).toString()); });
    connect(m_compareButton, &QPushButton::clicked, this,
            [this] { compareWith(m_compareBox->currentData().toString()); });
    connect(m_layersView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    selectLayer(current.data(LayersModel::LayerRole).toInt());
            });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &LayerExplorerPage::currentPathChanged);
    connect(m_extract, &QPushButton::clicked, this, &LayerExplorerPage::chooseExtractTarget);
    connect(m_treeModel, &QAbstractItemModel::modelReset, this, [this] {
        const qsizetype kept = m_treeModel->filteredCount();
        if (m_analysis.layerCount() == 0)
            m_treeStatus->clear();
        else if (kept >= 0)
            m_treeStatus->setText(
                tr("Matching paths at layer %1: %2").arg(m_treeModel->layer()).arg(kept));
        else
            m_treeStatus->setText(tr("Entries at layer %1: %2")
                                      .arg(m_treeModel->layer())
                                      .arg(m_analysis.fileCount(m_treeModel->layer())));
    });
}

void LayerExplorerPage::setImages(const QList<Engine::ImageRecord> &images) {
    m_images = images;
    auto fill = [&images](QComboBox *box, const QString &skip) {
        const QString current = box->currentData().toString();
        box->clear();
        for (const Engine::ImageRecord &image : images) {
            if (image.id.toString() == skip)
                continue;
            QStringList names;
            for (const QString &tag : image.tags)
                if (auto ref = Engine::Reference::parse(tag))
                    names << ref->familiarString();
            const QString label = names.isEmpty()
                                      ? image.id.shortId()
                                      : names.join(QStringLiteral(", ")) +
                                            QStringLiteral(" (%1)").arg(image.id.shortId());
            box->addItem(label, image.id.toString());
        }
        const int index = box->findData(current);
        if (index >= 0)
            box->setCurrentIndex(index);
    };
    fill(m_imageBox, QString());
    fill(m_compareBox, m_imageId);
    if (!m_imageId.isEmpty()) {
        const int index = m_imageBox->findData(m_imageId);
        if (index >= 0) {
            m_imageBox->setCurrentIndex(index);
        } else if (!m_opening) {
            // The image was removed (perhaps from the command line): nothing left to explore.
            m_imageId.clear();
            m_analysis = LayerAnalysis();
            m_layersModel->clear();
            m_treeModel->clear();
            m_wastedModel->setCopies({});
            m_historyModel->setHistory({});
            m_preview->clear();
            m_summary->setText(tr("The image is no longer in the store."));
        }
    }
    m_compareButton->setEnabled(m_compareBox->count() > 0 && !m_imageId.isEmpty());
}

void LayerExplorerPage::openImage(const QString &imageId) {
    if (imageId.isEmpty())
        return;
    m_imageId = imageId;
    const quint64 request = ++m_request;
    const int index = m_imageBox->findData(imageId);
    if (index >= 0)
        m_imageBox->setCurrentIndex(index);
    // The compare list leaves out the image itself. An image just made (a build that has just
    // finished) may not be in the list yet: the next refresh brings it, so it is not "removed".
    m_opening = true;
    setImages(m_images);
    m_opening = false;
    m_summary->setText(tr("Analysing the image's layers…"));
    loadProvenance(imageId);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, imageId]() -> Engine::Result<LayerAnalysis> {
            auto digest = Engine::Digest::parse(imageId);
            if (!digest)
                return Engine::fail(digest.error());
            auto image = engine->images().get(*digest);
            if (!image)
                return Engine::fail(image.error());
            return engine->analysis().analyze(*image);
        })
        .then(this, [this, request](const Engine::Result<LayerAnalysis> &analysis) {
            if (request != m_request)
                return;
            if (!analysis) {
                m_summary->setText(tr("The image could not be analysed."));
                showError(this, tr("The image's layers could not be analysed."), analysis.error());
                return;
            }
            showAnalysis(*analysis);
        });
}

void LayerExplorerPage::showAnalysis(const LayerAnalysis &analysis) {
    m_analysis = analysis;
    const int last = qMax(0, analysis.layerCount() - 1);
    m_layersModel->setAnalysis(analysis);
    m_wastedModel->setCopies(analysis.wastedCopies(1000));
    m_historyModel->setHistory({});
    m_comparisonModel->setDifferences({});
    m_preview->clear();
    m_previewTitle->setText(tr("Select a file to preview it."));
    m_extract->setEnabled(false);
    m_treeModel->setAnalysis(analysis, last);
    m_layersView->selectRow(last);
    showLayerProvenance(last);
    updateSummary();
    Q_EMIT analysisShown();
}

void LayerExplorerPage::updateSummary() {
    const LayerAnalysis &a = m_analysis;
    const double honest =
        a.imageSize() > 0 ? 1.0 - double(a.wastedBytes()) / double(a.imageSize()) : 1.0;
    const QLocale locale;
    m_summary->setText(tr("Layers: %1 · Size: %2 · Files: %3 · Efficiency: %4% (dive: %5%)")
                           .arg(a.layerCount())
                           .arg(formatBytes(a.imageSize()))
                           .arg(locale.toString(a.fileCount()))
                           .arg(locale.toString(100.0 * honest, 'f', 1))
                           .arg(locale.toString(100.0 * a.diveEfficiency(), 'f', 1)));
    QString text;
    if (a.wastedBytes() == 0) {
        text = tr("<b>Nothing wasted.</b> Every byte the layers store is reachable in the final "
                  "filesystem.");
    } else {
        text = tr("<b>%1 wasted</b> (%2% of the image): copies that a layer stores but a later "
                  "layer overwrote or deleted. Nobody can reach them, yet every pull downloads "
                  "them.")
                   .arg(formatBytes(a.wastedBytes()))
                   .arg(locale.toString(100.0 * double(a.wastedBytes()) / double(a.imageSize()),
                                        'f', 1));
        const QList<Engine::WastedPair> pairs = a.wastedPairs();
        QStringList lines;
        for (const Engine::WastedPair &p : pairs.mid(0, 4))
            lines << tr("layer %1 hides %2 stored by layer %3")
                         .arg(p.hiddenLayer)
                         .arg(formatBytes(p.bytes))
                         .arg(p.storedLayer);
        text += QStringLiteral("<br>") + lines.join(QStringLiteral("; "));
    }
    text += QStringLiteral("<br>") +
            tr("Efficiency %1%. dive's score: %2% (dive counts %3 as wasted: every repeated "
               "copy of a path, including the one still in use).")
                .arg(locale.toString(100.0 * honest, 'f', 1))
                .arg(locale.toString(100.0 * a.diveEfficiency(), 'f', 1))
                .arg(formatBytes(a.diveWastedBytes()));
    m_wastedSummary->setText(text);
}

void LayerExplorerPage::loadProvenance(const QString &imageId) {
    m_hasProvenance = false;
    m_buildSteps->clear();
    m_buildSummary->setText(tr("Reading how the image was built…"));
    const quint64 request = ++m_provenanceRequest;
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, imageId]() -> Engine::Result<Engine::BuildProvenance> {
            auto digest = Engine::Digest::parse(imageId);
            if (!digest)
                return Engine::fail(digest.error());
            return engine->builds().provenance(*digest);
        })
        .then(this, [this, request](const Engine::Result<Engine::BuildProvenance> &provenance) {
            if (request != m_provenanceRequest)
                return;
            m_hasProvenance = provenance.has_value();
            if (m_hasProvenance)
                m_buildSteps->setProvenance(*provenance);
            m_buildView->resizeColumnsToContents();
            stretchColumn(m_buildView->horizontalHeader(), BuildStepsModel::Instruction);
            showLayerProvenance(m_treeModel->layer());
            Q_EMIT provenanceShown();
        });
}

void LayerExplorerPage::showLayerProvenance(int layer) {
    if (!m_hasProvenance) {
        m_buildSummary->setText(
            tr("Berth did not build this image, so it does not know which Dockerfile lines "
               "made its layers. The commands above come from the image's own history."));
        return;
    }
    QList<Engine::Digest> diffIds;
    for (const Engine::LayerSummary &l : m_analysis.layers())
        diffIds.append(l.diffId);
    if (diffIds.isEmpty()) {
        m_buildSummary->clear(); // the analysis is still on its way
        return;
    }
    const int row = m_buildSteps->rowForLayer(layer, diffIds);
    if (row < 0) {
        m_buildSummary->setText(
            tr("Layer %1 came with the base image (<b>%2</b>, line %3).")
                .arg(layer)
                .arg(m_buildSteps->rowCount() > 0
                         ? m_buildSteps->record(0).instruction.simplified().toHtmlEscaped()
                         : QString())
                .arg(m_buildSteps->rowCount() > 0 ? m_buildSteps->record(0).firstLine : 0));
        m_buildView->clearSelection();
        return;
    }
    const Engine::BuildStepRecord &r = m_buildSteps->record(row);
    const QString how =
        r.cached ? tr("It came from the build cache: nothing it depends on had changed.")
                 : tr("It ran because: %1.").arg(BuildStepsModel::reasonsText(r).toHtmlEscaped());
    m_buildSummary->setText(tr("Layer %1 was made by Dockerfile line %2: <b>%3</b><br>%4")
                                .arg(layer)
                                .arg(BuildStepsModel::linesText(r))
                                .arg(r.instruction.simplified().toHtmlEscaped())
                                .arg(how));
    m_buildView->selectRow(row);
}

void LayerExplorerPage::showTab(const QString &name) {
    if (name == QLatin1String("build"))
        m_leftTabs->setCurrentWidget(m_buildPage);
    else if (name == QLatin1String("compare"))
        m_leftTabs->setCurrentIndex(1);
    else if (name == QLatin1String("wasted"))
        m_leftTabs->setCurrentIndex(0);
}

void LayerExplorerPage::selectLayer(int layer) {
    if (m_analysis.layerCount() == 0)
        return;
    showLayerProvenance(layer);
    const QModelIndex row = m_layersModel->index(layer, 0);
    if (m_layersView->currentIndex().row() != layer)
        m_layersView->selectRow(layer); // comes back here through currentRowChanged
    if (row.isValid() && layer == m_treeModel->layer() && m_treeModel->rowCount() > 0)
        return;
    const QString path = m_tree->currentIndex().data(FileTreeModel::PathRole).toString();
    m_treeModel->setLayer(layer);
    if (m_treeModel->isFiltered() && m_treeModel->filteredCount() <= kExpandLimit)
        m_tree->expandAll();
    // Keep the same path selected across layers, so its change is easy to follow.
    if (path.isEmpty() || !selectPath(path))
        currentPathChanged();
}

void LayerExplorerPage::applyFilter() {
    m_filterTimer->stop();
    int mask = 0;
    if (m_showAdded->isChecked())
        mask |= FileTreeModel::ShowAdded;
    if (m_showModified->isChecked())
        mask |= FileTreeModel::ShowModified;
    if (m_showDeleted->isChecked())
        mask |= FileTreeModel::ShowDeleted;
    if (m_showUnchanged->isChecked())
        mask |= FileTreeModel::ShowUnchanged;
    m_treeModel->setScope(m_scope->currentIndex() == 1 ? FileTreeModel::Scope::ThisLayer
                                                       : FileTreeModel::Scope::Everything);
    m_treeModel->setChangeFilter(mask);
    m_treeModel->setNameFilter(m_filter->text());
    if (m_treeModel->isFiltered() && m_treeModel->filteredCount() <= kExpandLimit)
        m_tree->expandAll();
}

bool LayerExplorerPage::selectPath(const QString &path) {
    const QModelIndex index = m_treeModel->indexOfPath(path);
    if (!index.isValid())
        return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
    return true;
}

void LayerExplorerPage::currentPathChanged() {
    const QModelIndex index = m_tree->currentIndex();
    const std::optional<FileNode> node = m_treeModel->nodeAt(index);
    if (!node) {
        m_historyModel->setHistory({});
        m_preview->clear();
        m_previewTitle->setText(tr("Select a file to preview it."));
        m_extract->setEnabled(false);
        return;
    }
    const QString path = index.data(FileTreeModel::PathRole).toString();
    m_historyModel->setHistory(m_analysis.history(path));
    m_historyView->resizeColumnsToContents();
    showPreview(*node, path, index.data(FileTreeModel::DeletedRole).toBool());
}

void LayerExplorerPage::showPreview(const FileNode &node, const QString &path, bool deleted) {
    const quint64 request = ++m_previewRequest;
    m_preview->setLineWrapMode(QPlainTextEdit::WidgetWidth); // messages wrap; file text won't
    const int layer = m_treeModel->layer();
    m_extract->setEnabled(!deleted &&
                          (node.type == FileType::Regular || node.type == FileType::Directory ||
                           node.type == FileType::Symlink));
    QString title = tr("%1 at layer %2").arg(path).arg(layer);
    if (deleted)
        title +=
            QLatin1Char(' ') + tr("(deleted here; showing the copy from layer %1)").arg(node.layer);
    m_previewTitle->setText(title);
    m_previewTitle->setToolTip(title);
    switch (node.type) {
    case FileType::Directory:
        m_preview->setPlainText(
            tr("A directory. Entries directly inside: %1")
                .arg(m_analysis.childIds(node.id, deleted ? qMax(0, layer - 1) : layer).size()));
        Q_EMIT previewShown();
        return;
    case FileType::Symlink:
        m_preview->setPlainText(tr("A symbolic link to %1").arg(node.linkTarget));
        Q_EMIT previewShown();
        return;
    case FileType::Regular:
        break;
    default:
        m_preview->setPlainText(tr("A special file (device, pipe or socket): nothing to show."));
        Q_EMIT previewShown();
        return;
    }
    if (node.layer < 0 || (deleted && layer == 0)) {
        m_preview->setPlainText(tr("Nothing to show."));
        Q_EMIT previewShown();
        return;
    }
    m_preview->setPlainText(tr("Reading…"));
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, analysis = m_analysis, node] {
            return previewOf(engine->analysis().readFile(analysis, node, kPreviewLimit));
        })
        .then(this, [this, request](const Preview &p) {
            if (request != m_previewRequest)
                return;
            switch (p.kind) {
            case Preview::Kind::Error:
                m_preview->setPlainText(tr("The file could not be read: %1").arg(p.text));
                break;
            case Preview::Kind::Binary:
                m_preview->setPlainText(
                    tr("This is a binary file (%1), not text, so it is not shown here. Use "
                       "\"Extract to…\" to open it with another program.")
                        .arg(formatBytes(p.size)));
                break;
            case Preview::Kind::Text:
                m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
                m_preview->setPlainText(
                    p.truncated ? p.text + QLatin1Char('\n') +
                                      tr("[… only the first %1 of %2 are shown]")
                                          .arg(formatBytes(kPreviewLimit), formatBytes(p.size))
                                : p.text);
                break;
            }
            Q_EMIT previewShown();
        });
}

void LayerExplorerPage::chooseExtractTarget() {
    const std::optional<FileNode> node = m_treeModel->nodeAt(m_tree->currentIndex());
    if (!node)
        return;
    auto *dialog = new QFileDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (node->type == FileType::Directory) {
        dialog->setWindowTitle(tr("Extract %1 into folder").arg(node->name));
        dialog->setFileMode(QFileDialog::Directory);
        dialog->setOption(QFileDialog::ShowDirsOnly);
        connect(dialog, &QFileDialog::fileSelected, this, [this, node](const QString &dir) {
            extractSelected(dir + QLatin1Char('/') + node->name);
        });
    } else {
        dialog->setWindowTitle(tr("Extract %1").arg(node->name));
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->selectFile(node->name);
        connect(dialog, &QFileDialog::fileSelected, this, &LayerExplorerPage::extractSelected);
    }
    dialog->open();
}

void LayerExplorerPage::extractSelected(const QString &destination) {
    const std::optional<FileNode> node = m_treeModel->nodeAt(m_tree->currentIndex());
    if (!node)
        return;
    const LayerAnalysis analysis = m_analysis;
    const int layer = m_treeModel->layer();
    const PathId id = node->id;
    m_engine
        .async([engine = &m_engine, analysis, id, layer, destination] {
            return engine->analysis().extractPath(analysis, id, layer, destination);
        })
        .then(this, [this, destination](const Engine::Status &st) {
            if (!st) {
                showError(this, tr("The file could not be extracted."), st.error());
                return;
            }
            Q_EMIT statusMessage(tr("Extracted to %1").arg(destination));
        });
}

void LayerExplorerPage::compareWith(const QString &otherId) {
    if (otherId.isEmpty() || m_imageId.isEmpty())
        return;
    m_compareSummary->setText(tr("Comparing…"));
    m_leftTabs->setCurrentIndex(1);
    m_compareButton->setEnabled(false);
    const QString baseId = m_imageId;
    QString otherName = m_compareBox->itemText(m_compareBox->findData(otherId));
    if (otherName.isEmpty())
        otherName = otherId.left(19);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, baseId, otherId]() -> Engine::Result<Engine::ImageComparison> {
            auto base = engine->images().resolve(baseId);
            if (!base)
                return Engine::fail(base.error());
            auto other = engine->images().resolve(otherId);
            if (!other)
                return Engine::fail(other.error());
            return engine->analysis().compare(*base, *other);
        })
        .then(this, [this, otherName](const Engine::Result<Engine::ImageComparison> &r) {
            m_compareButton->setEnabled(true);
            if (!r) {
                m_compareSummary->setText(tr("The images could not be compared."));
                showError(this, tr("The images could not be compared."), r.error());
                return;
            }
            QString text = r->divergeIndex < 0
                               ? tr("%1 has exactly the same layers.").arg(otherName)
                               : tr("Layers shared with %1: %2. The images diverge at layer %3.")
                                     .arg(otherName)
                                     .arg(r->sharedLayers)
                                     .arg(r->divergeIndex);
            text += QLatin1Char(' ') + tr("Paths that differ: %1.").arg(r->differences.size()) +
                    QLatin1Char(' ') +
                    tr("With this image present, getting the other one downloads %1; the other "
                       "way round, %2.")
                        .arg(formatBytes(r->bytesToPullOther), formatBytes(r->bytesToPullBase));
            m_compareSummary->setText(text);
            m_comparisonModel->setDifferences(r->differences);
            Q_EMIT comparisonShown();
        });
}

} // namespace Berth::Gui
