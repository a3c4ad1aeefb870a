#!/usr/bin/env bash
# Creates every pqrflow topic (services/runtime/topics.hpp) on an Apache Kafka cluster with
# its partitions, cleanup policy and retention (design.md §5). Idempotent: existing topics
# are left as they are (their partition count is only reported). Used by the compose
# `kafka-init` job and the Kubernetes `pqrflow-topics` Job; runnable by hand:
#
#   BOOTSTRAP=broker:9092 REPLICATION=3 deploy/kafka/create-topics.sh
#
# Settings (environment): BOOTSTRAP (kafka:9092), PARTITIONS (16; the most metrics or
# ingest instances that can share the work), REPLICATION (1), MIN_ISR (1 with a single
# broker, 2 with three), KAFKA_BIN (/opt/kafka/bin).
set -euo pipefail

bootstrap=${BOOTSTRAP:-kafka:9092}
partitions=${PARTITIONS:-16}
replication=${REPLICATION:-1}
min_isr=${MIN_ISR:-1}
bin=${KAFKA_BIN:-/opt/kafka/bin}
day=86400000

# name partitions cleanup retention.ms (-1 = forever)
topics=(
  # Raw input: replayable from the source systems (import-csv), so a month is plenty.
  "pqrflow.raw.pqr              $partitions delete $((30 * day))"
  "pqrflow.raw.visits           $partitions delete $((30 * day))"
  "pqrflow.raw.billing          $partitions delete $((30 * day))"
  # Canonical events: kept forever — a metrics shard whose checkpoint is lost or damaged
  # is rebuilt from the beginning of its partition (docs/architecture.md).
  "pqrflow.events.v1            $partitions delete -1"
  "pqrflow.deadletter.v1        $partitions delete $((90 * day))"
  # Keyed, versioned snapshots: compacted, the latest per key stays.
  "pqrflow.indicators.v1        $partitions compact -1"
  "pqrflow.deadlines.v1         $partitions compact -1"
  "pqrflow.compliance.v1        1           compact -1"
  "pqrflow.alerts.v1            $partitions delete $((365 * day))"
  "pqrflow.bi.v1                $partitions compact -1"
)

echo "create-topics: waiting for $bootstrap"
for _ in $(seq 1 60); do
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --list >/dev/null 2>&1 && break
  sleep 2
done

existing=$("$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --list)
for spec in "${topics[@]}"; do
  read -r name count cleanup retention <<<"$spec"
  if grep -qx "$name" <<<"$existing"; then
    echo "create-topics: $name exists; left unchanged"
    continue
  fi
  config=(--config "cleanup.policy=$cleanup" --config "min.insync.replicas=$min_isr")
  if [ "$cleanup" = delete ]; then
    config+=(--config "retention.ms=$retention")
  else
    # Compacted topics: tombstones and old versions go after a day.
    config+=(--config "delete.retention.ms=$day" --config "min.compaction.lag.ms=60000")
  fi
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$name" --partitions "$count" --replication-factor "$replication" "${config[@]}"
  echo "create-topics: created $name ($count partitions, $cleanup, retention.ms=$retention)"
done
"$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --describe --topic 'pqrflow\..*' \
  | grep -E '^Topic:' || true
