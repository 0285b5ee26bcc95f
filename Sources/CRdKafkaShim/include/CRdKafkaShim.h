#ifndef FLOW_CRDKAFKASHIM_H
#define FLOW_CRDKAFKASHIM_H

#include <librdkafka/rdkafka.h>

/// Typed wrapper around the variadic rd_kafka_producev (Swift does not import C variadic functions).
///
/// Key, value and header bytes are copied (RD_KAFKA_MSG_F_COPY), so the caller's buffers may be
/// released as soon as this returns. On success librdkafka owns `headers` (may be NULL); on failure
/// the caller still owns and must destroy them.
rd_kafka_resp_err_t flow_rdkafka_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                         const void *key, size_t key_len, const void *value,
                                         size_t value_len, rd_kafka_headers_t *headers);

#endif
