"""GRU4Rec passes the shared model contract (scores, unknown items, resets, save/load)."""

from __future__ import annotations

import pytest
from model_contract import N_ITEMS, ModelContract, generated_log

from sessrec.models.gru4rec import GRU4Rec, GRU4RecConfig

TINY = GRU4RecConfig(layers=(8,), batch_size=4, n_sample=4, epochs=1, jit_compile=False)


class TestGRU4RecContract(ModelContract):
    rtol = 1e-4
    atol = 1e-5

    def make_model(self, n_items):
        return GRU4Rec(n_items, TINY)

    @pytest.fixture(scope="class")
    @classmethod
    def fitted(cls):
        # One fit serves every test of the class: each test starts its own slots.
        model = GRU4Rec(N_ITEMS, TINY)
        model.fit(generated_log(0), generated_log(1, n_sessions=5))
        return model
