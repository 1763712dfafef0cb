import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractSynchronizedMongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;

import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.DataType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * mongo-java-server's H2 backend (documents in an H2 MVStore file) with the same index planner as the
 * memory backend (IndexPlanner), and a write acknowledged only once it is in the file.
 *
 * <p>Indexes: upstream keeps unique indexes as MVStore maps keyed by a class that is not Comparable, so
 * every look-up and insert compares keys by Java-serialising both sides, and it ignores non-unique
 * indexes. Here every index lives in memory (hash maps, see IndexPlanner) and is built from the stored
 * documents when a database is opened: only documents are persisted, so an index can never disagree
 * with them after a crash. Positions are the documents' keys in the data map (their `_id`), and
 * candidates come back in that map's order, the order of a scan.
 *
 * <p>Durability: upstream lets MVStore commit in the background once a second, so a write was
 * acknowledged before it reached the file (kill -9 lost the last second of acknowledged writes), and the
 * background commit could land in the middle of a command. Here auto-commit is off; every command that
 * changed something is committed (written to the file) before its reply goes out. Commands must run one
 * at a time (Launcher serialises them) so that a commit never captures half a command. The file is not
 * fsync'ed per commit: a killed process loses nothing, a power cut may lose the last moments (as a
 * MongoDB with its default journal interval may). {@link #maintain()} does the housekeeping the
 * background writer did (rewriting sparsely used chunks) and must be called under the same lock.
 */
public final class IndexedH2Backend extends H2Backend {

    /** Chunks whose live data fills less than this percentage get rewritten by maintain(). */
    private static final int COMPACT_BELOW_FILL_RATE = 50;
    private static final int COMPACT_WRITE_BYTES = 4 << 20;

    private final MVStore store;

    public IndexedH2Backend(String fileName, int cacheSizeMb) {
        this(builder(fileName, cacheSizeMb).open());
    }

    private static MVStore.Builder builder(String fileName, int cacheSizeMb) {
        return new MVStore.Builder()
            .fileName(fileName)
            .cacheSize(cacheSizeMb)
            // Documents are Java-serialised, class descriptors and all: LZF shrinks the file about 4x
            // (10,000 attempts: 30 -> 7 MB) and each commit's chunk with it, at no measurable cost.
            .compress()
            // No background commits and none triggered by the size of unsaved changes: commitChanges()
            // commits at command boundaries only.
            .autoCommitDisabled()
            .autoCommitBufferSize(0);
    }

    private IndexedH2Backend(MVStore store) {
        super(store);
        this.store = store;
        commitChanges();
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        try {
            return super.handleCommand(channel, databaseName, command, query);
        } finally {
            commitChanges();
        }
    }

    @Override
    public QueryResult handleQuery(MongoQuery query) {
        try {
            return super.handleQuery(query);
        } finally {
            commitChanges();
        }
    }

    @Override
    public void dropDatabase(String databaseName) {
        try {
            super.dropDatabase(databaseName);
        } finally {
            commitChanges();
        }
    }

    /** Writes whatever the last command changed to the file (synchronously: in the file on return). */
    synchronized void commitChanges() {
        if (!store.isClosed() && store.hasUnsavedChanges()) {
            store.commit();
        }
    }

    /** Rewrites sparsely used chunks so the file does not grow without bound; call between commands. */
    synchronized void maintain() {
        if (store.isClosed()) {
            return;
        }
        store.compact(COMPACT_BELOW_FILL_RATE, COMPACT_WRITE_BYTES);
        commitChanges();
    }

    /** Upstream's H2Database (same map names, so existing files open), with the planner's indexes. */
    static final class Database extends AbstractSynchronizedMongoDatabase<Object> {
        private static final String META_PREFIX = "meta.";
        private static final String DATABASES_PREFIX = "databases.";

        private final MVStore mvStore;

        Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
            this.mvStore = mvStore;
            initializeNamespacesAndIndexes();
            removeUpstreamIndexMaps();
        }

        /**
         * Files written by upstream's backend hold unique indexes as maps of their own; ours are rebuilt
         * from the documents instead, so those maps would only go stale.
         */
        private void removeUpstreamIndexMaps() {
            MongoCollection<Object> descriptions = indexes.get();
            if (descriptions == null) {
                return;
            }
            for (Document description : descriptions.queryAll()) {
                String mapName = description.get("ns") + "._index_" + description.get("name");
                if (mvStore.hasMap(mapName)) {
                    mvStore.removeMap(mapName);
                }
            }
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                        boolean sparse) {
            return new IndexPlanner.UniqueIndex<>(indexName, keys, sparse, orderOf(collectionName));
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName,
                                                           List<IndexKey> keys, boolean sparse) {
            return new IndexPlanner.SecondaryIndex<>(indexName, keys, sparse, orderOf(collectionName));
        }

        /** The data map's key order: candidates listed in it come out in scan order. */
        private Comparator<Object> orderOf(String collectionName) {
            DataType<Object> keyType = dataMap(collectionName).getKeyType();
            return keyType::compare;
        }

        private MVMap<Object, Document> dataMap(String collectionName) {
            return mvStore.openMap(DATABASES_PREFIX + getFullCollectionNamespace(collectionName));
        }

        private MVMap<String, Object> metaMap(String collectionName) {
            return mvStore.openMap(META_PREFIX + getFullCollectionNamespace(collectionName));
        }

        @Override
        public void drop(Oplog oplog) {
            super.drop(oplog);
            List<MVMap<?, ?>> maps = mvStore.getMapNames().stream()
                .filter(name -> name.startsWith(databaseName + ".")
                    || name.startsWith(DATABASES_PREFIX + databaseName)
                    || name.startsWith(META_PREFIX + databaseName))
                .map(mvStore::openMap)
                .collect(Collectors.toList());
            for (MVMap<?, ?> map : maps) {
                mvStore.removeMap(map);
            }
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new PlannedCollection(this, collectionName, options, dataMap(collectionName),
                metaMap(collectionName), cursorRegistry);
        }

        @Override
        protected long getStorageSize() {
            FileStore<?> fileStore = mvStore.getFileStore();
            return fileStore != null ? fileStore.size() : 0;
        }

        @Override
        protected long getFileSize() {
            return getStorageSize();
        }

        @Override
        public void dropCollection(String collectionName, Oplog oplog) {
            super.dropCollection(collectionName, oplog);
            mvStore.removeMap(dataMap(collectionName));
            mvStore.removeMap(metaMap(collectionName));
        }

        @Override
        public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection,
                                   String newCollectionName) {
            super.moveCollection(oldDatabase, collection, newCollectionName);
            String fullCollectionName = collection.getFullName();
            String newFullName = getFullCollectionNamespace(newCollectionName);
            MVMap<Object, Document> dataMap = mvStore.openMap(DATABASES_PREFIX + fullCollectionName);
            MVMap<String, Object> metaMap = mvStore.openMap(META_PREFIX + fullCollectionName);
            mvStore.renameMap(dataMap, DATABASES_PREFIX + newFullName);
            mvStore.renameMap(metaMap, META_PREFIX + newFullName);
        }

        /**
         * As in the memory backend: a leading `$match` narrows what the pipeline is fed, and the result
         * comes back in batches of the cursor's batchSize.
         */
        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver,
                                      Oplog oplog) {
            boolean aggregate = command.equalsIgnoreCase("aggregate");
            int batchSize = aggregate ? AggregateCursors.takeBatchSize(query) : 0;
            Document match = aggregate ? IndexPlanner.leadingMatch(query.get("pipeline")) : null;
            if (match != null && query.get(command) instanceof String name
                    && resolveCollection(name, false) instanceof PlannedCollection collection) {
                collection.narrowNextFullRead(match);
                try {
                    return AggregateCursors.batched(super.handleCommand(channel, command, query, resolver, oplog),
                        batchSize, cursorRegistry);
                } finally {
                    collection.narrowNextFullRead(null);
                }
            }
            return AggregateCursors.batched(super.handleCommand(channel, command, query, resolver, oplog), batchSize,
                cursorRegistry);
        }
    }

    /** Upstream's H2Collection, planned as IndexedMemoryBackend.PlannedCollection is. */
    static final class PlannedCollection extends H2Collection {
        private Document nextFullReadFilter;

        PlannedCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                          MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap,
                          CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        void narrowNextFullRead(Document filter) {
            nextFullReadFilter = filter;
        }

        /** The data map's key, as upstream's unique index stored it (a missing `_id` is Missing). */
        @Override
        protected Object addDocumentInternal(Document document) {
            return Missing.ofNullable(super.addDocumentInternal(document));
        }

        @Override
        public Stream<Document> queryAllAsStream() {
            Document filter = nextFullReadFilter;
            nextFullReadFilter = null;
            NavigableSet<Object> candidates = filter == null ? null : IndexPlanner.narrowest(getIndexes(), filter);
            if (candidates == null) {
                return super.queryAllAsStream();
            }
            return new ArrayList<>(candidates).stream().map(this::getDocument);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            boolean natural = orderBy != null && orderBy.containsKey("$natural");
            NavigableSet<Object> best = natural ? null : IndexPlanner.narrowest(getIndexes(), query);
            if (best == null) {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            // Copied: the caller may update indexed fields while it walks the results.
            return matchDocuments(query, new ArrayList<>(best), orderBy, numberToSkip, limit, batchSize,
                fieldSelector);
        }

        @Override
        public synchronized void removeDocument(Document document) {
            Object position = IndexPlanner.positionFromUniqueIndexes(getIndexes(), document);
            IndexPlanner.removeFromSecondaryIndexes(getIndexes(), document,
                position != null ? position : findDocumentPosition(document));
            super.removeDocument(document);
        }
    }
}
