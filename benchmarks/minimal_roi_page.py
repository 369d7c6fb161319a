"""Baseline for the ROI edit benchmark: the app's sidebar and the ROI page's own form, read
by the page's own code; nothing computed, nothing drawn from results."""

from advisor.ui import scenarios
from advisor.ui import state as app_state
from advisor.ui.roi import _inputs, _load_or_reset, _simulation_settings, form, state

slots = scenarios.sidebar()
catalog = app_state.active_catalog()
ctx = form.advisor_context(catalog)
if state.get() is None:
    form.load(form.template(form.starting_kind(ctx), ctx), catalog, follow=True)
_load_or_reset(catalog, ctx)
_inputs(state.get(), catalog, ctx)
_simulation_settings(state.get())
scenarios.finish(slots)
