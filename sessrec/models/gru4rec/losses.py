"""GRU4Rec's ranking losses over the mini-batch's own targets plus sampled negatives.

Every loss takes scores `[B, C]` whose column `i < B` is the target of slot `i` (the
"in-batch" candidates) and whose columns `B..C-1` are popularity-sampled items, plus a mask
`[B, C]` of the columns that may serve as negatives for each row. The mask drops padded
slots and any other column holding the row's own target item (a duplicate target is not a
negative). Each loss returns the per-row loss `[B]`; the caller averages over valid rows.
"""

from __future__ import annotations

import tensorflow as tf

# Large negative logit for masked columns: exp() underflows to exactly zero.
MASKED = -1e9


def negative_mask(targets: tf.Tensor, candidates: tf.Tensor, valid: tf.Tensor) -> tf.Tensor:
    """`[B, C]` bool: column j may be a negative for row i (not i's item, not a padded slot).

    `targets` `[B]` are the rows' target items, `candidates` `[C]` the column items whose first
    B entries are the same targets, `valid` `[B]` flags the real (non-padded) slots.
    """
    batch_size = tf.shape(targets)[0]
    n_sampled = tf.shape(candidates)[0] - batch_size
    column_real = tf.concat([valid, tf.ones([n_sampled], tf.bool)], axis=0)
    same_item = tf.equal(targets[:, None], candidates[None, :])
    return tf.logical_and(column_real[None, :], tf.logical_not(same_item))


def target_column_mask(batch_size: tf.Tensor, n_candidates: tf.Tensor) -> tf.Tensor:
    """`[B, C]` bool: the diagonal cell holding each row's own target."""
    return tf.eye(batch_size, n_candidates, dtype=tf.bool)


def sampled_cross_entropy(
    scores: tf.Tensor, negatives: tf.Tensor, log_q: tf.Tensor | None = None, logq: float = 0.0
) -> tf.Tensor:
    """Softmax cross-entropy of the diagonal target against the allowed negatives.

    With `logq > 0` each column's score is lowered by `logq * log q(item)`, where `log_q`
    `[C]` is the log-probability that the column was a candidate (popularity for in-batch
    targets, popularity^alpha for sampled items), which corrects the sampling bias.
    """
    if log_q is not None and logq > 0.0:
        scores = scores - logq * log_q[None, :]

    target = target_column_mask(tf.shape(scores)[0], tf.shape(scores)[1])
    allowed = tf.logical_or(negatives, target)
    logits = tf.where(allowed, scores, MASKED)
    target_logit = tf.reduce_sum(tf.where(target, logits, 0.0), axis=1)
    return tf.reduce_logsumexp(logits, axis=1) - target_logit


def bpr_max(
    scores: tf.Tensor, negatives: tf.Tensor, bpreg: float = 1.0, elu_param: float = 0.5
) -> tf.Tensor:
    """BPR-max: -log sum_j s_j sigmoid(r_i - r_j) + bpreg * sum_j s_j r_j^2, s = softmax(neg).

    Scores first pass through an ELU with parameter `elu_param` (0 turns it off), as in the
    reference implementation; the softmax weights `s` cover the allowed negatives only.
    """
    if elu_param > 0.0:
        scores = tf.where(scores > 0.0, scores, elu_param * (tf.exp(tf.minimum(scores, 0.0)) - 1))

    target = target_column_mask(tf.shape(scores)[0], tf.shape(scores)[1])
    target_score = tf.reduce_sum(tf.where(target, scores, 0.0), axis=1, keepdims=True)
    weights = tf.nn.softmax(tf.where(negatives, scores, MASKED), axis=1)
    weights = tf.where(negatives, weights, 0.0)
    ranking = tf.reduce_sum(tf.sigmoid(target_score - scores) * weights, axis=1)
    regulariser = tf.reduce_sum(tf.square(scores) * weights, axis=1)
    return -tf.math.log(ranking + 1e-24) + bpreg * regulariser


def full_softmax(all_scores: tf.Tensor, targets: tf.Tensor) -> tf.Tensor:
    """Cross-entropy of the target against every item (`all_scores` `[B, n_items]`)."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=all_scores)
