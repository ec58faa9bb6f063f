"""The book's tooling, apart from the NumPy library the chapters build (:mod:`xentlib`).

- :mod:`booktools.refresh`: re-execute chapters and store them with their outputs and platform;
- :mod:`booktools.platform_record`: where a notebook's outputs were made;
- :mod:`booktools.nbcompare`: the pytest plugin that picks nbval's exact or tolerant comparison;
- :mod:`booktools.bench`: the benchmark whose results chapter 11 plots;
- :mod:`booktools.sphinxext`: the Sphinx extension that serves MathJax from the built site.
"""
