package org.infometer.estimate;

import java.io.Serializable;

/**
 * One input row as scored by a per-shard fit: the {@link ScoredRow} (codelengths or rejection) and the shard
 * (input partition) whose models scored it.
 *
 * @param shardId   stable id of the shard: a hash of its sorted valid sample tokens
 * @param partition index of the input partition the shard is
 * @param row       the scored (or rejected) row
 */
public record ShardScoredRow(String shardId, int partition, ScoredRow row) implements Serializable {
}
