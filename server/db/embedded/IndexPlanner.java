import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.KeyConstraintError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The index use a real MongoDB has for equality queries, shared by both embedded backends (memory and
 * H2; see IndexedMemoryBackend and IndexedH2Backend). Positions are whatever the backend addresses a
 * document by (a list slot in memory, the `_id` key in H2), ordered as the backend scans them.
 *
 * <p>Upstream only uses a unique index when a query's fields are exactly the index's fields, and it
 * ignores non-unique indexes. So `{ _id, userId }` or `{ userId }` scanned every document, and pages
 * that are point look-ups on MongoDB cost a full collection scan. With this planner:
 * <ul>
 *   <li>declared non-unique indexes are hash maps from each leading part of their fields to document
 *       positions (a compound `{ a, b }` answers `{ a }` and `{ a, b }` as a B-tree would);</li>
 *   <li>a unique index answers whenever the query has equality (or `$in`) on all of its fields, whatever
 *       other conditions sit beside them, and a compound one answers its leading fields too;</li>
 *   <li>among the indexes that can answer, the one with the fewest candidates wins;</li>
 *   <li>an aggregation that starts with `$match` (countDocuments is one) is fed from the same indexes.</li>
 * </ul>
 * Candidates are always re-checked against the whole query by upstream's matcher, so an index can only
 * narrow the scan, never change a result. Candidates come back in the backend's scan order, so natural
 * order is the same as a scan's. Anything else (ranges, null, regex, arrays as values) falls back to
 * upstream. The hash maps live in memory only: they are built from the documents when a collection is
 * opened, so they can never disagree with what is stored.
 */
final class IndexPlanner {

    /** Past this many `$in` combinations the look-up is not worth it: scan instead. */
    static final int MAX_COMBINATIONS = 10_000;

    private IndexPlanner() {
    }

    /** An index that can list candidate positions for a query, or say it cannot (null). */
    interface Lookup<P> {
        NavigableSet<P> candidates(Document query);
    }

    /** The fewest candidate positions any index offers for the query, or null if none can answer. */
    static <P> NavigableSet<P> narrowest(List<Index<P>> indexes, Document query) {
        NavigableSet<P> best = null;
        for (Index<P> index : indexes) {
            if (!(index instanceof Lookup<?>)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            NavigableSet<P> candidates = ((Lookup<P>) index).candidates(query);
            if (candidates != null && (best == null || candidates.size() < best.size())) {
                best = candidates;
                if (best.size() <= 1) {
                    break;
                }
            }
        }
        return best;
    }

    /** The `$match` of a pipeline whose first stage is exactly one `$match`, else null. */
    static Document leadingMatch(Object pipeline) {
        if (pipeline instanceof List<?> stages && !stages.isEmpty() && stages.get(0) instanceof Document first
                && first.size() == 1 && first.get("$match") instanceof Document match) {
            return match;
        }
        return null;
    }

    /**
     * For each leading part of an index's fields (1 … depth of them), a map from that part's values to
     * the positions of the documents holding them; arrays add one entry per element, as a multikey
     * index does.
     */
    static final class PrefixMaps<P> {
        private final Index<P> index;
        private final Comparator<? super P> order;
        private final List<Map<KeyValue, NavigableSet<P>>> byLength = new ArrayList<>();
        private long entries;

        /** `order` is the backend's scan order of positions (null: their natural order). */
        PrefixMaps(Index<P> index, int depth, Comparator<? super P> order) {
            this.index = index;
            this.order = order;
            for (int i = 0; i < depth; i++) {
                byLength.add(new HashMap<>());
            }
        }

        private NavigableSet<P> newSet() {
            return new TreeSet<>(order);
        }

        /** Candidates for the longest leading part of `fields` the query pins down, or null. */
        NavigableSet<P> candidates(Document query, List<String> fields) {
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
            Map<KeyValue, NavigableSet<P>> map = byLength.get(length - 1);
            if (wanted.size() == 1) {
                NavigableSet<P> hit = map.get(wanted.get(0));
                return hit == null ? newSet() : hit;
            }
            NavigableSet<P> union = newSet();
            for (KeyValue keyValue : wanted) {
                NavigableSet<P> hit = map.get(keyValue);
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

        void add(Document document, P position) {
            for (int length = 1; length <= byLength.size(); length++) {
                Map<KeyValue, NavigableSet<P>> map = byLength.get(length - 1);
                for (KeyValue keyValue : leading(document, length)) {
                    if (map.computeIfAbsent(keyValue, k -> newSet()).add(position) && length == 1) {
                        entries++;
                    }
                }
            }
        }

        void remove(Document document, P position) {
            for (int length = 1; length <= byLength.size(); length++) {
                Map<KeyValue, NavigableSet<P>> map = byLength.get(length - 1);
                for (KeyValue keyValue : leading(document, length)) {
                    NavigableSet<P> positions = map.get(keyValue);
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

    /**
     * A unique index kept in a hash map from key to position (upstream's memory index, for any kind of
     * position). Also usable when the query has more fields than the index, and (for a compound,
     * non-sparse one) when it pins only a leading part of the index's fields.
     */
    static final class UniqueIndex<P> extends AbstractUniqueIndex<P> implements Lookup<P> {
        private final Map<KeyValue, P> positions = new HashMap<>();
        private final List<String> fields;
        private final Comparator<? super P> order;
        /** Leading parts only: the full key is `positions`. */
        private final PrefixMaps<P> prefixes;

        UniqueIndex(String name, List<IndexKey> keys, boolean sparse, Comparator<? super P> order) {
            super(name, keys, sparse);
            this.fields = fieldNames(keys);
            this.order = order;
            this.prefixes = keys.size() > 1 && !sparse ? new PrefixMaps<>(this, keys.size() - 1, order) : null;
        }

        @Override
        public synchronized NavigableSet<P> candidates(Document query) {
            List<KeyValue> wanted = keyValuesFor(query, fields);
            if (wanted == null) {
                return prefixes == null ? null : prefixes.candidates(query, fields);
            }
            NavigableSet<P> found = new TreeSet<>(order);
            for (KeyValue keyValue : wanted) {
                P position = positions.get(keyValue);
                if (position != null) {
                    found.add(position);
                }
            }
            return found;
        }

        @Override
        protected synchronized P removeDocument(KeyValue keyValue) {
            return positions.remove(keyValue);
        }

        @Override
        protected synchronized boolean putKeyPosition(KeyValue keyValue, P position) {
            return positions.putIfAbsent(keyValue, position) == null;
        }

        @Override
        protected synchronized P getPosition(KeyValue keyValue) {
            return positions.get(keyValue);
        }

        @Override
        protected Iterable<Entry<KeyValue, P>> getIterable() {
            return positions.entrySet();
        }

        @Override
        public synchronized long getCount() {
            return positions.size();
        }

        @Override
        public synchronized boolean isEmpty() {
            return positions.isEmpty();
        }

        @Override
        public long getDataSize() {
            return getCount();
        }

        @Override
        public synchronized void add(Document document, P position, MongoCollection<P> collection) {
            super.add(document, position, collection);
            if (prefixes != null) {
                prefixes.add(document, position);
            }
        }

        @Override
        public synchronized P remove(Document document) {
            P position = super.remove(document);
            if (prefixes != null && position != null) {
                prefixes.remove(document, position);
            }
            return position;
        }

        @Override
        public synchronized void drop() {
            super.drop();
            positions.clear();
            if (prefixes != null) {
                prefixes.clear();
            }
        }
    }

    /**
     * A non-unique index, kept as prefix maps over all of its fields. Upstream cannot remove a document
     * from it (remove(document) has no position to go by): the collection must call removeAt.
     */
    static final class SecondaryIndex<P> extends Index<P> implements Lookup<P> {
        private final List<String> fields;
        private final boolean declaredSparse;
        private final PrefixMaps<P> maps;

        SecondaryIndex(String name, List<IndexKey> keys, boolean sparse, Comparator<? super P> order) {
            // Declared sparse to upstream so that its removeDocument skips this index (see removeAt).
            super(name, keys, true);
            this.fields = fieldNames(keys);
            this.declaredSparse = sparse;
            this.maps = new PrefixMaps<>(this, keys.size(), order);
        }

        @Override
        public synchronized NavigableSet<P> candidates(Document query) {
            return maps.candidates(query, fields);
        }

        synchronized void removeAt(Document document, P position) {
            maps.remove(document, position);
        }

        @Override
        public P getPosition(Document document) {
            return null;
        }

        @Override
        public void checkAdd(Document document, MongoCollection<P> collection) {
            // Not unique: nothing to check.
        }

        @Override
        public synchronized void add(Document document, P position, MongoCollection<P> collection) {
            maps.add(document, position);
        }

        @Override
        public P remove(Document document) {
            return null;
        }

        @Override
        public boolean canHandle(Document query) {
            // Upstream's own planner never uses this index; the collections ask candidates().
            return false;
        }

        @Override
        public Iterable<P> getPositions(Document query) {
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
        public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
            // Not unique: nothing to check.
        }

        @Override
        public synchronized void updateInPlace(Document oldDocument, Document newDocument, P position,
                                               MongoCollection<P> collection) throws KeyConstraintError {
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

    /** Removes a document from the secondary indexes, which upstream's removeDocument skips. */
    static <P> void removeFromSecondaryIndexes(List<Index<P>> indexes, Document document, P position) {
        if (position == null) {
            return;
        }
        for (Index<P> index : indexes) {
            if (index instanceof SecondaryIndex<P> secondary) {
                secondary.removeAt(document, position);
            }
        }
    }

    /** A document's position from the first unique index that knows it, or null. */
    static <P> P positionFromUniqueIndexes(List<Index<P>> indexes, Document document) {
        for (Index<P> index : indexes) {
            if (index.isUnique()) {
                P position = index.getPosition(document);
                if (position != null) {
                    return position;
                }
            }
        }
        return null;
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
                && values.stream().allMatch(IndexPlanner::isPlain);
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
