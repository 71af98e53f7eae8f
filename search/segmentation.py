"""Chinese word segmentation for search: the same words on the way into the index and out of a query.

SQLite's FTS5 tokenizer and PostgreSQL's parser treat an unbroken run of Chinese characters as one word,
so "拔河" never matches "海宁市总工会举办元旦职工拔河比赛". Text is therefore segmented into words,
separated by spaces, before it is indexed, and queries are segmented the same way before they are run.

Segmenter: rjieba (the Rust port of jieba). Measured here on ~1 MB of Chinese text: jieba 0.85 s plus
0.8 s dictionary load per process; rjieba 0.05 s plus 0.09 s load, with the same words; plain character
bigrams 0.07 s but they miss 4-character queries and match fragments across word boundaries
(shared/notes/chinese-search.md). Indexing uses `cut_for_search`, which also emits the shorter words
inside long ones (拔河比赛 → 拔河, 比赛, 拔河比赛; 管道工培训班 → 管道, 管道工, 培训, 培训班), so a query
for any of them matches. Queries use the precise `cut`. Latin words and numbers pass through unchanged,
so mixed queries such as "CAD 培训" and "2027 暑期" work.
"""

import re
from functools import lru_cache

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


def _words(tokens) -> list[str]:
    words = []
    for token in tokens:
        token = token.strip()
        if token and token not in STOPWORDS and not _NOT_A_WORD.match(token):
            words.append(token)
    return words


def segment_for_index(text: str) -> str:
    """Words of `text`, including the shorter words inside compounds, separated by spaces."""
    if not text:
        return ""
    return " ".join(_words(rjieba.cut_for_search(text)))


@lru_cache(maxsize=4096)
def segment_query(text: str) -> str:
    """The words a visitor typed, separated by spaces (cached: people repeat the same searches)."""
    if not text:
        return ""
    return " ".join(_words(rjieba.cut(text[:200])))


def query_words(text: str) -> list[str]:
    """The distinct words of a query, longest first (used to highlight matches)."""
    return sorted(set(segment_query(text).split()), key=len, reverse=True)
