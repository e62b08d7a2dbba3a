"""Tradeable forward plans: the desk's positions file, sizing, and reconciliation.

``dragon forward`` (:mod:`dragon_compat.pipelines.forward`) composes these modules:

- :mod:`~dragon_compat.plan.positions` reads the desk's positions file
  (``--positions``: CSV or JSON of symbol, shares, entry_date, entry_price);
- :mod:`~dragon_compat.plan.close` reads what the run knows at its close: the active
  branch's signals, holdings and book, and the market's closes, ST flags and exit
  features for the symbols a plan names;
- :mod:`~dragon_compat.plan.sizing` prices and sizes the orders with the runtime's
  own rules (lots, fill price, fees, next-session limits);
- :mod:`~dragon_compat.plan.desk` evaluates the desk's holdings with the branch's exit
  rule and reconciles the desk's book with the branch's.

None of them prints or writes; the pipeline writes the plan and ``render`` shows it.
"""
