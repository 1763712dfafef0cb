import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.InMemoryCursor;
import de.bwaldvogel.mongo.bson.Document;

import java.util.ArrayList;
import java.util.List;

/**
 * Upstream answers an aggregate with every result in its first batch, whatever `cursor.batchSize` the
 * client asked for, so a client that streams a large result (the report exports) receives it in one
 * reply. This keeps `batchSize` results in the first batch and the rest behind a cursor that getMore
 * serves, as MongoDB does. The results are still computed at once on the server.
 */
final class AggregateCursors {

    private AggregateCursors() {
    }

    /**
     * Takes `batchSize` out of an aggregate's cursor options (upstream would only warn that it ignores
     * them) and returns it, or 0 when there is none.
     */
    static int takeBatchSize(Document query) {
        if (query.get("cursor") instanceof Document options && options.remove("batchSize") instanceof Number size) {
            return size.intValue();
        }
        return 0;
    }

    /** Splits a response's first batch at `batchSize`, the rest behind a cursor (0: as it is). */
    static Document batched(Document response, int batchSize, CursorRegistry registry) {
        if (batchSize <= 0 || !(response.get("cursor") instanceof Document cursor)
                || !(cursor.get("firstBatch") instanceof List<?> all)
                || all.size() <= batchSize || !Long.valueOf(0).equals(cursor.get("id"))) {
            return response;
        }
        List<Document> rest = new ArrayList<>(all.size() - batchSize);
        for (Object document : all.subList(batchSize, all.size())) {
            rest.add((Document) document);
        }
        InMemoryCursor remaining = new InMemoryCursor(registry.generateCursorId(), rest);
        registry.add(remaining);
        cursor.put("firstBatch", new ArrayList<>(all.subList(0, batchSize)));
        cursor.put("id", remaining.getId());
        return response;
    }
}
