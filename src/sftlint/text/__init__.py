"""The shared text layer under the checks: what more than one check (or command) computes.

`normal` holds the normal forms records are compared in (squash, content keys, the text
near-duplicate search compares) and the one excerpt function; `content` tells words, prose and
code apart; `labels` says when data is classification-like and what a record's label is;
`retrieval` builds term vectors and finds neighbours (SFT106); `embed` computes sentence
embeddings (SFT106's semantic mode, the `semantic` extra). MinHash and LSH live in
`sftlint.minhash`, token counts in `sftlint.tokens`: the same layer. A check imports these and
the check API (`sftlint.check`, `sftlint.findings`, `sftlint.records`), never another check.
"""
