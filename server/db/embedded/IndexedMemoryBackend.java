import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
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

/**
 * mongo-java-server's memory backend with the index use a real MongoDB has for equality queries.
 *
 * <p>Upstream only uses a unique index when a query's fields are exactly the index's fields, and it
 * ignores non-unique indexes. So `{ _id, userId }` or `{ userId }` scanned every document, and pages
 * that are point look-ups on MongoDB cost a full collection scan here. This backend:
 * <ul>
 *   <li>keeps declared non-unique indexes as hash maps from each key prefix to document positions
 *       (a compound `{ a, b }` answers `{ a }` and `{ a, b }` as a B-tree prefix would);</li>
 *   <li>uses a unique index whenever the query has equality (or `$in`) on all of its fields, whatever
 *       other conditions sit beside them;</li>
 *   <li>picks, among the indexes that can answer, the one with the fewest candidates.</li>
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
    }

    /** Chooses the narrowest index for each query; removes documents from secondary indexes by position. */
    static final class PlannedCollection extends MemoryCollection {
        PlannedCollection(Database database, String collectionName, CollectionOptions options,
                          CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            NavigableSet<Integer> best = null;
            if (orderBy == null || !orderBy.containsKey("$natural")) {
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
            }
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

    /** Upstream's unique index, also usable when the query has more fields than the index. */
    static final class UniqueIndex extends MemoryUniqueIndex implements Lookup {
        UniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
        }

        @Override
        public synchronized NavigableSet<Integer> candidates(Document query) {
            List<KeyValue> wanted = keyValuesFor(query, fieldNames(getKeys()));
            if (wanted == null) {
                return null;
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
    }

    /**
     * A non-unique index: for each prefix of its fields, a map from the prefix's values to the positions
     * of the documents holding them (arrays add one entry per element, as a multikey index does).
     */
    static final class SecondaryIndex extends Index<Integer> implements Lookup {
        private final List<String> fields;
        private final boolean declaredSparse;
        private final List<Map<KeyValue, NavigableSet<Integer>>> byPrefix = new ArrayList<>();
        private long entries;

        SecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
            // Declared sparse to upstream: remove(document) cannot know the position; the collection
            // removes by position instead (PlannedCollection.removeDocument).
            super(name, keys, true);
            this.fields = fieldNames(keys);
            this.declaredSparse = sparse;
            for (int i = 0; i < fields.size(); i++) {
                byPrefix.add(new HashMap<>());
            }
        }

        @Override
        public synchronized NavigableSet<Integer> candidates(Document query) {
            // The longest prefix of the index's fields that the query pins down.
            int length = 0;
            while (length < fields.size() && pinned(query.get(fields.get(length)))) {
                length++;
            }
            if (length == 0) {
                return null;
            }
            List<KeyValue> wanted = keyValuesFor(query, fields.subList(0, length));
            if (wanted == null) {
                return null;
            }
            Map<KeyValue, NavigableSet<Integer>> map = byPrefix.get(length - 1);
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

        private Set<KeyValue> prefixes(Document document, int length) {
            Set<KeyValue> out = new LinkedHashSet<>();
            for (KeyValue full : getKeyValues(document)) {
                List<Object> values = new ArrayList<>(length);
                for (int i = 0; i < length; i++) {
                    values.add(full.get(i));
                }
                out.add(new KeyValue(values));
            }
            return out;
        }

        private void addAt(Document document, Integer position) {
            for (int length = 1; length <= fields.size(); length++) {
                Map<KeyValue, NavigableSet<Integer>> map = byPrefix.get(length - 1);
                for (KeyValue keyValue : prefixes(document, length)) {
                    if (map.computeIfAbsent(keyValue, k -> new TreeSet<>()).add(position)) {
                        entries++;
                    }
                }
            }
        }

        synchronized void removeAt(Document document, Integer position) {
            for (int length = 1; length <= fields.size(); length++) {
                Map<KeyValue, NavigableSet<Integer>> map = byPrefix.get(length - 1);
                for (KeyValue keyValue : prefixes(document, length)) {
                    NavigableSet<Integer> positions = map.get(keyValue);
                    if (positions != null && positions.remove(position)) {
                        entries--;
                        if (positions.isEmpty()) {
                            map.remove(keyValue);
                        }
                    }
                }
            }
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
            addAt(document, position);
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
            return entries;
        }

        @Override
        public synchronized boolean isEmpty() {
            return entries == 0;
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
            removeAt(oldDocument, position);
            addAt(newDocument, position);
        }

        @Override
        public synchronized void drop() {
            byPrefix.forEach(Map::clear);
            entries = 0;
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
