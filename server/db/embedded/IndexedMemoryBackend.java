import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.stream.Stream;

/**
 * mongo-java-server's memory backend with the index planner (IndexPlanner) MongoDB's equality queries
 * expect. Positions are list slots, scanned in ascending order.
 */
public final class IndexedMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    static final class Database extends MemoryDatabase {
        Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new PlannedCollection(this, collectionName, options, cursorRegistry);
        }

        @Override
        protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                         boolean sparse) {
            return new IndexPlanner.UniqueIndex<>(indexName, keys, sparse, null);
        }

        @Override
        protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                            boolean sparse) {
            return new IndexPlanner.SecondaryIndex<>(indexName, keys, sparse, null);
        }

        /**
         * Upstream feeds every pipeline the whole collection; a leading `$match` (also what the driver's
         * countDocuments sends) narrows that feed through the indexes. The stage itself still filters.
         * The result comes back in batches of the cursor's batchSize (AggregateCursors).
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

    /** Chooses the narrowest index for each query; removes documents from secondary indexes by position. */
    static final class PlannedCollection extends MemoryCollection {
        PlannedCollection(Database database, String collectionName, CollectionOptions options,
                          CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        /** The filter of the aggregation about to read this collection, if it starts with `$match`. */
        private Document nextFullReadFilter;

        void narrowNextFullRead(Document filter) {
            nextFullReadFilter = filter;
        }

        @Override
        public Stream<Document> queryAllAsStream() {
            Document filter = nextFullReadFilter;
            nextFullReadFilter = null;
            NavigableSet<Integer> candidates = filter == null ? null : IndexPlanner.narrowest(getIndexes(), filter);
            if (candidates == null) {
                return super.queryAllAsStream();
            }
            return new ArrayList<>(candidates).stream().map(this::getDocument);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            boolean natural = orderBy != null && orderBy.containsKey("$natural");
            NavigableSet<Integer> best = natural ? null : IndexPlanner.narrowest(getIndexes(), query);
            if (best == null) {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            // Copied: the caller may update indexed fields while it walks the results.
            return matchDocuments(query, new ArrayList<>(best), orderBy, numberToSkip, limit, batchSize,
                fieldSelector);
        }

        @Override
        public synchronized void removeDocument(Document document) {
            Integer position = IndexPlanner.positionFromUniqueIndexes(getIndexes(), document);
            IndexPlanner.removeFromSecondaryIndexes(getIndexes(), document,
                position != null ? position : findDocumentPosition(document));
            super.removeDocument(document);
        }
    }
}
