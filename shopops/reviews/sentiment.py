"""The fast sentiment classifier: the project's own trained model, shipped as weights.

:class:`SentimentModel` loads the artifact written by :mod:`shopops.reviews.sentiment_train`
(``artifacts/sentiment.json`` + ``sentiment_<lang>.npz``) and turns texts into p(positive). Text is
routed by :func:`shopops.langid.detect_language` (or the language given): Chinese, Japanese and
Korean to the ``zh`` model, everything else to ``en`` (best-effort for other languages).

:func:`score_texts` reads labels from the probabilities:

- ``mixed``: the review splits into at least two clauses (at sentence punctuation and contrast words
  such as but/however/但是/不过/可是) and one clause scores p >= ``MIXED_HIGH`` (0.8) while another
  scores p <= ``MIXED_LOW`` (0.2): it clearly praises and clearly complains. This wins over the rest.
- ``neutral``: ``|p - 0.5| <= neutral_band`` (``settings.review_neutral_band``, 0.15 by default).
- otherwise ``positive`` (p > 0.5) or ``negative``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from shopops.errors import InputError
from shopops.langid import detect_language
from shopops.reviews.sentiment_features import FeatureConfig, FeatureExtractor
from shopops.reviews.types import Sentiment, SentimentScore

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
MANIFEST = "sentiment.json"
CJK = frozenset({"zh", "ja", "ko"})
MIXED_HIGH = 0.8
MIXED_LOW = 0.2
MIN_CLAUSE_CHARS = 2  # shorter pieces ("ok", "但") carry no polarity of their own
CLAUSE_SPLIT = re.compile(
    r"[。！？!?；;\n]+|(?<=[a-z\)])\.(?=\s|$)|,?\s*\b(?:but|however|although|though|yet|whereas)\b"
    r"|但是|不过|可是|然而|(?<!不)但",
    re.IGNORECASE,
)


def model_language(language: str) -> str:
    """The model that reads text of ``language``: ``zh`` for CJK, ``en`` for everything else."""
    return "zh" if language in CJK else "en"


@dataclass(frozen=True)
class LanguageModel:
    """One language's weights, expanded to dense per-block arrays for fast scoring."""

    config: FeatureConfig
    idf: tuple[np.ndarray, ...]
    coef: np.ndarray  # over config.width columns
    intercept: float

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        matrix = FeatureExtractor(self.config).transform(list(texts), self.idf)
        return np.asarray(matrix @ self.coef).ravel() + self.intercept


def _load_language(path: Path, config: FeatureConfig) -> LanguageModel:
    with np.load(path) as data:
        idf, coef = [], []
        for index in range(len(config.blocks)):
            columns = data[f"columns_{index}"]
            block_idf = np.zeros(config.n_features, dtype=np.float64)
            block_coef = np.zeros(config.n_features, dtype=np.float64)
            block_idf[columns] = data[f"idf_{index}"]
            block_coef[columns] = data[f"coef_{index}"]
            idf.append(block_idf)
            coef.append(block_coef)
        coef.append(data["lexicon_coef"].astype(np.float64))
        intercept = float(data["intercept"][0])
    full = np.concatenate(coef)
    if full.shape[0] != config.width:
        raise InputError(f"{path}: {full.shape[0]} weights, the recipe needs {config.width}")
    return LanguageModel(config=config, idf=tuple(idf), coef=full, intercept=intercept)


class SentimentModel:
    """The trained classifier: ``predict_proba(texts) -> p(positive)`` per text."""

    def __init__(self, models: dict[str, LanguageModel], version: str) -> None:
        self.models = models
        self.version = version

    @classmethod
    def load(cls, directory: Path | None = None) -> SentimentModel:
        """Load the artifact in ``directory`` (default: the one shipped in the package)."""
        folder = ARTIFACT_DIR if directory is None else Path(directory)
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise InputError(
                f"no sentiment model at {folder} ({MANIFEST} is missing)",
                hint="train one with `shopops train sentiment --out DIR`, or reinstall shopops",
            )
        manifest = json.loads(manifest_path.read_text())
        models = {
            language: _load_language(folder / entry["file"], FeatureConfig.from_json(entry["features"]))
            for language, entry in manifest["languages"].items()
        }
        return cls(models, str(manifest["version"]))

    def languages_for(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> list[str]:
        """The model language of each text (``languages`` given per text, else detected)."""
        if languages is not None and len(languages) != len(texts):
            raise InputError(f"{len(languages)} languages given for {len(texts)} texts")
        detected = languages if languages is not None else [detect_language(t) for t in texts]
        routed = [model_language(code or "") for code in detected]
        return [code if code in self.models else next(iter(self.models)) for code in routed]

    def predict_proba(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
        """p(positive) for each text, in order, as a float array."""
        routed = self.languages_for(texts, languages)
        out = np.full(len(texts), 0.5, dtype=np.float64)
        for language in set(routed):
            indices = [i for i, code in enumerate(routed) if code == language]
            decision = self.models[language].decision([texts[i] for i in indices])
            out[indices] = 1.0 / (1.0 + np.exp(-decision))
        return out


@cache
def default_model() -> SentimentModel:
    """The shipped model, loaded once on first use (never at import)."""
    return SentimentModel.load()


def split_clauses(text: str) -> list[str]:
    """Clauses of ``text`` worth scoring on their own (see the module docstring)."""
    pieces = (piece.strip(" ,，、.") for piece in CLAUSE_SPLIT.split(text))
    return [piece for piece in pieces if len(piece) >= MIN_CLAUSE_CHARS]


def label_for(p_positive: float, clause_ps: Sequence[float], neutral_band: float) -> Sentiment:
    """The label read from a text's probability and its clauses' probabilities."""
    if len(clause_ps) >= 2 and max(clause_ps) >= MIXED_HIGH and min(clause_ps) <= MIXED_LOW:
        return "mixed"
    if abs(p_positive - 0.5) <= neutral_band:
        return "neutral"
    return "positive" if p_positive > 0.5 else "negative"


def score_texts(
    texts: Sequence[str],
    languages: Sequence[str] | None = None,
    *,
    neutral_band: float = 0.15,
    model: SentimentModel | None = None,
) -> list[SentimentScore]:
    """Score texts with the fast classifier: p(positive) and the positive/negative/neutral/mixed label."""
    model = default_model() if model is None else model
    detected = list(languages) if languages is not None else [detect_language(t) for t in texts]
    routed = model.languages_for(texts, detected)
    p_texts = model.predict_proba(texts, routed)
    clauses = [split_clauses(text) for text in texts]
    flat = [clause for parts in clauses for clause in parts if len(parts) >= 2]
    flat_languages = [routed[i] for i, parts in enumerate(clauses) if len(parts) >= 2 for _ in parts]
    p_flat = iter(model.predict_proba(flat, flat_languages).tolist() if flat else [])
    scores = []
    for text_index, parts in enumerate(clauses):
        clause_ps = [next(p_flat) for _ in parts] if len(parts) >= 2 else []
        p = float(p_texts[text_index])
        scores.append(
            SentimentScore(
                label=label_for(p, clause_ps, neutral_band),
                p_positive=min(1.0, max(0.0, p)),
                method="fast",
                language=detected[text_index] or routed[text_index],
            )
        )
    return scores
