"""Chinese text for search: one normalisation and two segmentations, the same on index and query sides.

SQLite's FTS5 tokenizer and PostgreSQL's parser treat an unbroken run of Chinese characters as one word,
so "拔河" never matches "海宁市总工会举办元旦职工拔河比赛". Text is therefore segmented into words,
separated by spaces, before it is indexed, and queries are segmented the same way before they are run.

Normalisation (`normalise`, both sides, every backend and caller): Unicode NFKC folds full-width letters,
digits and punctuation to their ASCII forms (ＣＡＤ → CAD, １２３５１ → 12351, the ideographic space →
space); letters are lower-cased; traditional characters become simplified with OpenCC's maintained
``t2s`` dictionaries (工會 → 工会, 職工 → 职工, 培訓 → 培训), phrase-aware (乾隆 stays 乾隆).

Segmentation (rjieba, the Rust port of jieba; measured on ~1 MB of Chinese text: jieba 0.85 s + 0.8 s
dictionary load, rjieba 0.05 s + 0.09 s, same words; shared/notes/chinese-search.md):

- Index side, fine-grained ("max word", like IK's ``ik_max_word``): the precise words of the text, and
  for each word of three or more characters every dictionary word inside it (rjieba's full mode on that
  word): 工人文化宫 → 工人, 文化宫, 文化, 人文; 海宁市 → 海宁市, 海宁; 拔河比赛 → 拔河比赛, 拔河, 比赛. A query
  for any of them matches the title as a word.
- Query side, coarse: the precise words only (``cut``). 工人文化宫 → 工人 文化宫, each of which the index
  holds for that title; a query never asks for a fragment the index side would not produce.

Latin words and numbers pass through (lower-cased), so "CAD 培训" and "2027 暑期" work. After changing
anything here the index must be rebuilt: ``manage update_index`` (the demo seeder indexes as it saves).
"""

import re
import unicodedata
from functools import lru_cache

import opencc
import rjieba

# Function words that would match nearly every document; dropped from both index and queries.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "等",
        "之",
        "其",
        "为",
        "对",
        "把",
        "被",
        "也",
        "都",
        "就",
        "而",
        "或",
        "着",
        "啊",
        "吗",
        "呢",
        "吧",
    ]
)
_NOT_A_WORD = re.compile(r"^[\W_]+$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_QUERY_CHARS = 200

_t2s = opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """`text` in the one form both index and queries use: NFKC, lower case, simplified characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    return _t2s.convert(text) if _HAN.search(text) else text


def _words(tokens) -> list[str]:
    words = []
    for token in tokens:
        token = token.strip()
        if token and token not in STOPWORDS and not _NOT_A_WORD.match(token):
            words.append(token)
    return words


@lru_cache(maxsize=65536)
def _inner_words(word: str) -> tuple[str, ...]:
    """The dictionary words of two or more characters inside `word`, other than `word` itself."""
    if len(word) < 3 or not _HAN.search(word):
        return ()
    seen = {word}
    inner = []
    for sub in rjieba.cut_all(word):
        if len(sub) >= 2 and sub not in seen:
            seen.add(sub)
            inner.append(sub)
    return tuple(inner)


def segment_for_index(text: str) -> str:
    """Normalised words of `text` plus the dictionary words inside each of them, separated by spaces."""
    if not text:
        return ""
    out = []
    for word in _words(rjieba.cut(normalise(text))):
        out.append(word)
        out.extend(_inner_words(word))
    return " ".join(out)


@lru_cache(maxsize=4096)
def segment_query(text: str) -> str:
    """The normalised words a visitor typed, separated by spaces (cached: people repeat searches)."""
    if not text:
        return ""
    return " ".join(_words(rjieba.cut(normalise(text[:MAX_QUERY_CHARS]))))


def query_words(text: str) -> list[str]:
    """The distinct words of a query, longest first (to highlight matches and to name them in messages)."""
    return sorted(dict.fromkeys(segment_query(text).split()), key=len, reverse=True)


def query_terms(text: str) -> list[str]:
    """The distinct words of a query in the order typed."""
    return list(dict.fromkeys(segment_query(text).split()))
