"""``driftcheck init``: a starting project config and schemas, inferred from a repository.

:mod:`~driftcheck.init.scan` walks the tree once and says what the layout means (which
files are ``.env`` files of which service and environment, which compose files, manifests
and discovery records there are); :mod:`~driftcheck.init.layout` turns that into the
sources of every (service, environment); the sources are then read exactly as ``driftcheck
check`` reads them, and :mod:`~driftcheck.init.infer` infers each service's schema, the
shared settings, endpoints, ports and public URLs from the values; :mod:`~driftcheck.init.
render` writes the TOML, and :mod:`~driftcheck.init.command` checks it with driftcheck's
own readers and writes it.
"""
