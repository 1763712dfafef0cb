import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * mongo-java-server's memory backend with the index use a real MongoDB has for equality queries.
 *
 * <p>Upstream only uses a unique index when a query's fields are exactly the index's fields, and it
 * ignores non-unique indexes. So `{ _id, userId }` or `{ userId }` scanned every document, and pages
 * that are point look-ups on MongoDB cost a full collection scan here. This backend:
 * <ul>
 *   <li>keeps declared non-unique indexes as hash maps from each leading part of their fields to
 *       document positions (a compound `{ a, b }` answers `{ a }` and `{ a, b }` as a B-tree would);</li>
 *   <li>uses a unique index whenever the query has equality (or `$in`) on all of its fields, whatever
 *       other conditions sit beside them, and a compound one for its leading fields too;</li>
 *   <li>picks, among the indexes that can answer, the one with the fewest candidates;</li>
 *   <li>feeds an aggregation that starts with `$match` (countDocuments is one) from the same indexes.</li>
 * </ul>
 * Candidates are always re-checked against the whole query by upstream's matcher, so an index can only
 * narrow the scan, never change a result. Positions come back in ascending order: natural order is the
 * same as a scan's. Anything else (ranges, null, regex, arrays as values) falls back to upstream.
 */
public final class IndexedMemoryBackend extends MemoryBackend {

    /** Past this many `$in` combinations the look-up is not worth it: scan instead. */
    private static final int MAX_COMBINATIONS = 10_000;

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    /** An index that can list candidate positions for a query, or say it cannot (null). */
    interface Lookup {
        NavigableSet<Integer> candidates(Document query);
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
            return new UniqueIndex(indexName, keys, sparse);
        }

        @Override
        protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                            boolean sparse) {
            return new SecondaryIndex(indexName, keys, sparse);
        }

        /**
         * Upstream feeds every pipeline the whole collection; a leading `$match` (also what the driver's
         * countDocuments sends) narrows that feed through the indexes. The stage itself still filters.
         */
        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver,
                                      Oplog oplog) {
            Document match = command.equalsIgnoreCase("aggregate") ? leadingMatch(query.get("pipeline")) : null;
            if (match != null && query.get(command) instanceof String name
                    && resolveCollection(name, false) instanceof PlannedCollection collection) {
                collection.narrowNextFullRead(match);
                try {
                    return super.handleCommand(channel, command, query, resolver, oplog);
                } finally {
                    collection.narrowNextFullRead(null);
                }
            }
            return super.handleCommand(channel, command, query, resolver, oplog);
        }

        private static Document leadingMatch(Object pipeline) {
            if (pipeline instanceof List<?> stages && !stages.isEmpty() && stages.get(0) instanceof Document first
                    && first.size() == 1 && first.get("$match") instanceof Document match) {
                return match;
            }
            return null;
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
            NavigableSet<Integer> candidates = filter == null ? null : narrowest(filter);
            if (candidates == null) {
                return super.queryAllAsStream();
            }
            return new ArrayList<>(candidates).stream().map(this::getDocument);
        }

        /** The fewest candidate positions any index offers for the query, or null if none can answer. */
        private NavigableSet<Integer> narrowest(Document query) {
            NavigableSet<Integer> best = null;
            for (Index<Integer> index : getIndexes()) {
                if (!(index instanceof Lookup lookup)) {
                    continue;
                }
                NavigableSet<Integer> candidates = lookup.candidates(query);
                if (candidates != null && (best == null || candidates.size() < best.size())) {
                    best = candidates;
                    if (best.size() <= 1) {
                        break;
                    }
                }
            }
            return best;
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            boolean natural = orderBy != null && orderBy.containsKey("$natural");
            NavigableSet<Integer> best = natural ? null : narrowest(query);
            if (best == null) {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            // Copied: the caller may update indexed fields while it walks the results.
            return matchDocuments(query, new ArrayList<>(best), orderBy, numberToSkip, limit, batchSize,
                fieldSelector);
        }

        @Override
        public synchronized void removeDocument(Document document) {
            Integer position = positionOf(document);
            if (position != null) {
                for (Index<Integer> index : getIndexes()) {
                    if (index instanceof SecondaryIndex secondary) {
                        secondary.removeAt(document, position);
                    }
                }
            }
            super.removeDocument(document);
        }

        private Integer positionOf(Document document) {
            for (Index<Integer> index : getIndexes()) {
                if (index.isUnique()) {
                    Integer position = index.getPosition(document);
                    if (position != null) {
                        return position;
                    }
                }
            }
            return findDocumentPosition(document);
        }
    }

    /**
     * Upstream's unique index, also usable when the query has more fields than the index, and (for a
     * compound, non-sparse one) when it pins only a leading part of the index's fields.
     */
    static final class UniqueIndex extends MemoryUniqueIndex implements Lookup {
        private final List<String> fields;
        /** Leading parts only: the full key is upstream's own map. */
        private final PrefixMaps prefixes;

        UniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
            this.fields = fieldNames(keys);
            this.prefixes = keys.size() > 1 && !sparse ? new PrefixMaps(this, keys.size() - 1) : null;
        }

        @Override
        public synchronized NavigableSet<Integer> candidates(Document query) {
            List<KeyValue> wanted = keyValuesFor(query, fields);
            if (wanted == null) {
                return prefixes == null ? null : prefixes.candidates(query, fields);
            }
            NavigableSet<Integer> positions = new TreeSet<>();
            for (KeyValue keyValue : wanted) {
                Integer position = getPosition(keyValue);
                if (position != null) {
                    positions.add(position);
                }
            }
            return positions;
        }

        @Override
        public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
            super.add(document, position, collection);
            if (prefixes != null) {
                prefixes.add(document, position);
            }
        }

        @Override
        public synchronized Integer remove(Document document) {
            Integer position = super.remove(document);
            if (prefixes != null && position != null) {
                prefixes.remove(document, position);
            }
            return position;
        }

        @Override
        public synchronized void drop() {
            super.drop();
            if (prefixes != null) {
                prefixes.clear();
            }
        }
    }

    /**
     * For each leading part of an index's fields (1 … depth of them), a map from that part's values to
     * the positions of the documents holding them; arrays add one entry per element, as a multikey
     * index does.
     */
    static final class PrefixMaps {
        private final Index<Integer> index;
        private final List<Map<KeyValue, NavigableSet<Integer>>> byLength = new ArrayList<>();
        private long entries;

        PrefixMaps(Index<Integer> index, int depth) {
            this.index = index;
            for (int i = 0; i < depth; i++) {
                byLength.add(new HashMap<>());
            }
        }

        /** Candidates for the longest leading part of `fields` the query pins down, or null. */
        NavigableSet<Integer> candidates(Document query, List<String> fields) {
            int length = 0;
            while (length < byLength.size() && pinned(query.get(fields.get(length)))) {
                length++;
            }
            if (length == 0) {
                return null;
            }
            List<KeyValue> wanted = keyValuesFor(query, fields.subList(0, length));
            if (wanted == null) {
                return null;
            }
            Map<KeyValue, NavigableSet<Integer>> map = byLength.get(length - 1);
            if (wanted.size() == 1) {
                NavigableSet<Integer> hit = map.get(wanted.get(0));
                return hit == null ? new TreeSet<>() : hit;
            }
            NavigableSet<Integer> union = new TreeSet<>();
            for (KeyValue keyValue : wanted) {
                NavigableSet<Integer> hit = map.get(keyValue);
                if (hit != null) {
                    union.addAll(hit);
                }
            }
            return union;
        }

        private Set<KeyValue> leading(Document document, int length) {
            Set<KeyValue> out = new LinkedHashSet<>();
            for (KeyValue full : index.getKeyValues(document)) {
                List<Object> values = new ArrayList<>(length);
                for (int i = 0; i < length; i++) {
                    values.add(full.get(i));
                }
                out.add(new KeyValue(values));
            }
            return out;
        }

        void add(Document document, Integer position) {
            for (int length = 1; length <= byLength.size(); length++) {
                Map<KeyValue, NavigableSet<Integer>> map = byLength.get(length - 1);
                for (KeyValue keyValue : leading(document, length)) {
                    if (map.computeIfAbsent(keyValue, k -> new TreeSet<>()).add(position) && length == 1) {
                        entries++;
                    }
                }
            }
        }

        void remove(Document document, Integer position) {
            for (int length = 1; length <= byLength.size(); length++) {
                Map<KeyValue, NavigableSet<Integer>> map = byLength.get(length - 1);
                for (KeyValue keyValue : leading(document, length)) {
                    NavigableSet<Integer> positions = map.get(keyValue);
                    if (positions != null && positions.remove(position)) {
                        if (length == 1) {
                            entries--;
                        }
                        if (positions.isEmpty()) {
                            map.remove(keyValue);
                        }
                    }
                }
            }
        }

        /** Keys on the first field (one per document, or one per array element). */
        long entries() {
            return entries;
        }

        void clear() {
            byLength.forEach(Map::clear);
            entries = 0;
        }
    }

    /** A non-unique index, kept as prefix maps over all of its fields. */
    static final class SecondaryIndex extends Index<Integer> implements Lookup {
        private final List<String> fields;
        private final boolean declaredSparse;
        private final PrefixMaps maps;

        SecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
            // Declared sparse to upstream: remove(document) cannot know the position; the collection
            // removes by position instead (PlannedCollection.removeDocument).
            super(name, keys, true);
            this.fields = fieldNames(keys);
            this.declaredSparse = sparse;
            this.maps = new PrefixMaps(this, keys.size());
        }

        @Override
        public synchronized NavigableSet<Integer> candidates(Document query) {
            return maps.candidates(query, fields);
        }

        synchronized void removeAt(Document document, Integer position) {
            maps.remove(document, position);
        }

        @Override
        public Integer getPosition(Document document) {
            return null;
        }

        @Override
        public void checkAdd(Document document, MongoCollection<Integer> collection) {
            // Not unique: nothing to check.
        }

        @Override
        public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
            maps.add(document, position);
        }

        @Override
        public Integer remove(Document document) {
            return null;
        }

        @Override
        public boolean canHandle(Document query) {
            // Upstream's own planner never uses this index; PlannedCollection asks candidates().
            return false;
        }

        @Override
        public Iterable<Integer> getPositions(Document query) {
            throw new UnsupportedOperationException("use candidates()");
        }

        @Override
        public synchronized long getCount() {
            return maps.entries();
        }

        @Override
        public synchronized boolean isEmpty() {
            return maps.entries() == 0;
        }

        @Override
        public long getDataSize() {
            return getCount();
        }

        @Override
        public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {
            // Not unique: nothing to check.
        }

        @Override
        public synchronized void updateInPlace(Document oldDocument, Document newDocument, Integer position,
                                               MongoCollection<Integer> collection) throws KeyConstraintError {
            maps.remove(oldDocument, position);
            maps.add(newDocument, position);
        }

        @Override
        public synchronized void drop() {
            maps.clear();
        }

        @Override
        public Document toIndexDescription() {
            Document description = super.toIndexDescription();
            if (!declaredSparse) {
                description.remove("sparse");
            }
            return description;
        }
    }

    static List<String> fieldNames(List<IndexKey> keys) {
        List<String> names = new ArrayList<>(keys.size());
        for (IndexKey key : keys) {
            names.add(key.getKey());
        }
        return names;
    }

    /** A condition an index can answer: a plain value, or `$in` over plain values. */
    static boolean pinned(Object condition) {
        if (condition instanceof Document document) {
            return document.size() == 1 && document.get("$in") instanceof Collection<?> values
                && values.stream().allMatch(IndexedMemoryBackend::isPlain);
        }
        return isPlain(condition);
    }

    /**
     * Values whose equality a hash look-up decides exactly as MongoDB would. Anything else (null, missing,
     * sub-documents, arrays, regular expressions, binary data, decimals) is left to upstream's matcher.
     */
    static boolean isPlain(Object value) {
        return value instanceof String
            || value instanceof Integer
            || value instanceof Long
            || value instanceof Double
            || value instanceof Boolean
            || value instanceof ObjectId
            || value instanceof Instant
            || value instanceof UUID;
    }

    /** Every combination of the query's values for these fields, normalised as the index stores them. */
    static List<KeyValue> keyValuesFor(Document query, List<String> names) {
        List<List<Object>> combinations = new ArrayList<>();
        combinations.add(new ArrayList<>());
        for (String name : names) {
            Object condition = query.get(name);
            if (!pinned(condition)) {
                return null;
            }
            Collection<?> values = condition instanceof Document document
                ? (Collection<?>) document.get("$in")
                : List.of(condition);
            if ((long) combinations.size() * values.size() > MAX_COMBINATIONS) {
                return null;
            }
            List<List<Object>> next = new ArrayList<>();
            for (List<Object> prefix : combinations) {
                for (Object value : values) {
                    List<Object> extended = new ArrayList<>(prefix);
                    extended.add(normalize(value));
                    next.add(extended);
                }
            }
            combinations = next;
        }
        List<KeyValue> out = new ArrayList<>(combinations.size());
        for (List<Object> combination : combinations) {
            out.add(new KeyValue(combination));
        }
        return out;
    }

    /** Upstream's key normalisation for plain values: every number compares as a double (1 == 1.0 == 1L). */
    static Object normalize(Object value) {
        if (value instanceof Long longValue && longValue.longValue() != (long) longValue.doubleValue()) {
            return value;
        }
        if (value instanceof Number number) {
            double d = number.doubleValue();
            return Double.valueOf(d == -0.0 ? 0.0 : d);
        }
        return value;
    }
}
