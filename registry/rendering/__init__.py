"""kreg's output formats, drawn from typed results: text tables, the review page and card, JUnit XML.

Everything a command prints or writes about an inspection, a diff or a check
is drawn here, from the report types of :mod:`kreg.inspect_tools.report_types`
and :mod:`kreg.inspect_tools.diff` (never from JSON dicts):

- :mod:`~kreg.rendering.formatting`: numbers, bytes and compute figures in words;
- :mod:`~kreg.rendering.tables`: the :class:`~kreg.rendering.tables.Table` type
  and the tables of ``kreg inspect``;
- :mod:`~kreg.rendering.diff_tables`: the tables of ``kreg diff``;
- :mod:`~kreg.rendering.text`: those tables printed (``kreg inspect``, ``str()``
  of the Python API's reports);
- :mod:`~kreg.rendering.review_page`, :mod:`~kreg.rendering.diff_html`,
  :mod:`~kreg.rendering.html_parts`, :mod:`~kreg.rendering.charts`: the
  self-contained review page and the notebook card;
- :mod:`~kreg.rendering.junit`: ``kreg check --junit-xml``.

It imports the report types (:mod:`kreg.inspect_tools`) and the core
(:mod:`kreg.terminal`, :mod:`kreg.files` ...), never Keras, TensorFlow,
:mod:`kreg.running` or :mod:`kreg.workflows`: what it draws is handed to it,
and the workflows call it.
"""
