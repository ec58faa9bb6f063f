"""The book's Sphinx extension outside a build: the Chinese search splitter it registers gives
the index Sphinx's own would, without its quadratic look-up (booktools/sphinxext.py)."""

from booktools import sphinxext

TEXT = (
    "交叉熵是负对数似然的平均。It was the NLL of its labels; PyTorch 的 CrossEntropyLoss "
    "与 Keras 的 SparseCategoricalCrossentropy 都接受 logits 也 has GPUs 与 float32。"
)


class _RecordingApp:
    """Just enough of a Sphinx application for ``setup``: it records what is registered."""

    def __init__(self):
        self.search_languages = []

    def add_search_language(self, cls):
        self.search_languages.append(cls)

    def connect(self, *args, **kwargs):
        pass

    def add_directive(self, *args, **kwargs):
        pass


def test_setup_registers_the_chinese_search():
    app = _RecordingApp()
    sphinxext.setup(app)
    assert [cls.lang for cls in app.search_languages] == ["zh"]
    assert app.search_languages[0].__name__ == "ChineseSearch"


def test_chinese_search_indexes_as_sphinx_does():
    from sphinx.search.zh import SearchChinese

    ours, sphinxs = sphinxext._chinese_search()({}), SearchChinese({})
    sphinxs.latin_terms = []  # a list of its own (Sphinx's class shares one among instances)
    for search in (ours, sphinxs):
        search.split(TEXT)
    assert isinstance(ours.latin_terms, set)
    assert ours.latin_terms == set(sphinxs.latin_terms)
    words = ours.split(TEXT)
    assert words == sphinxs.split(TEXT)
    assert [ours.stem(w) for w in words] == [sphinxs.stem(w) for w in words]
    # the case the look-up exists for: a Latin word too short once stemmed keeps its letters
    assert ours.stem("was") == "was" and ours.stem("GPUs") == "gpus"
    assert {"交叉", "熵", "PyTorch", "float32"} <= set(words)
