"""The TOML ``driftcheck init`` writes: the project config and one schema per service.

Deterministic (the same repository gives the same bytes), commented (every inference
says where it comes from), and made only of names, types, environments, ports and
public URLs: no value read from a source is written, so no secret can be.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence

from driftcheck.config import source_format_of
from driftcheck.display import escape_control
from driftcheck.init.infer import Inference, KeyGuess, ServiceGuess
from driftcheck.init.layout import Plan, PlannedSource, ServicePlan

CONFIG_NAME = "driftcheck.toml"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_COMMENT_WIDTH = 88
#: The selector key of each manifest format in a source table.
_SELECTOR_KEYS = {"compose": "service", "kubernetes": "workload", "cloudrun": "service"}


def schema_path(service: str) -> str:
    return f"schemas/{service}.toml"


def toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def toml_key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else toml_string(name)


def _array(items: Iterable[str]) -> str:
    return "[" + ", ".join(toml_string(item) for item in items) + "]"


def _inline(pairs: Iterable[tuple[str, str]]) -> str:
    return "{ " + ", ".join(f"{toml_key(key)} = {value}" for key, value in pairs) + " }"


def _comment(text: str, indent: str = "") -> list[str]:
    lines = textwrap.wrap(
        escape_control(text), width=_COMMENT_WIDTH - len(indent) - 2, break_on_hyphens=False
    )
    return [f"{indent}# {line}" for line in lines]


def _per_environment(values: Mapping[str, str], environments: Sequence[str]) -> str:
    """One value for every environment, or an inline table per environment."""
    shown = [values[env] for env in environments if env in values]
    if len(shown) == len(environments) and len(set(shown)) == 1:
        return shown[0]
    return _inline((env, values[env]) for env in environments if env in values)


# -- sources ----------------------------------------------------------------------------


def _source_value(source: PlannedSource, paths: Sequence[str], project_env: str | None) -> str:
    """A source as the config writes it: a path alone where that says it all."""
    inferred = source_format_of(paths[0])
    simple = (
        len(paths) == 1
        and inferred == source.format
        and source.select is None
        and source.container is None
        and project_env is None
    )
    if simple:
        return toml_string(paths[0])
    pairs = [("path", toml_string(paths[0]) if len(paths) == 1 else _array(paths))]
    if inferred != source.format:
        pairs.append(("format", toml_string(source.format)))
    if source.select is not None:
        pairs.append((_SELECTOR_KEYS[source.format], toml_string(source.select)))
    if source.container is not None:
        pairs.append(("container", toml_string(source.container)))
    if project_env is not None:
        pairs.append(("project_env", toml_string(project_env)))
    return _inline(pairs)


def _templated(source: PlannedSource, environment: str) -> str | None:
    """The source with ``{env}`` templates, if they give its paths for ``environment``."""
    templates = source.templates
    if any(
        t is None or t.replace("{env}", environment) != p
        for t, p in zip(templates, source.paths, strict=True)
    ):
        return None
    project_env = source.project_env_template
    if source.project_env is not None and (
        project_env is None or project_env.replace("{env}", environment) != source.project_env
    ):
        return None
    return _source_value(source, [t for t in templates if t is not None], project_env)


def _service_sources(
    service: ServicePlan, environments: Sequence[str]
) -> list[str] | dict[str, list[str]]:
    """The service's sources: one list for every environment where templates allow,
    else a list per environment."""
    if all(service.sources.get(env) for env in environments):
        per_env = [
            [_templated(source, env) for source in service.sources[env]] for env in environments
        ]
        first = per_env[0]
        if all(None not in row for row in per_env) and all(row == first for row in per_env):
            return [value for value in first if value is not None]
    return {
        env: [_source_value(s, s.paths, s.project_env) for s in service.sources[env]]
        for env in environments
        if service.sources.get(env)
    }


def _with_service_placeholder(values: list[str], service: str) -> list[str]:
    """``services/auth/.env.{env}`` for auth: ``services/{service}/.env.{env}``."""
    pattern = re.compile(r"(?<=[/\".])" + re.escape(service) + r"(?=[/\".])")
    return [pattern.sub("{service}", value) for value in values]


# -- the config -------------------------------------------------------------------------


def render_config(plan: Plan, inference: Inference, file_count: int) -> str:
    environments = plan.environments
    lines = [
        "# driftcheck project config, written by `driftcheck init` from the "
        f"{file_count} files it read.",
        "# Every value below is a guess from the layout and the values: review it and the",
        "# schemas, then run `driftcheck check`. The README documents every key.",
        "",
        f"environments = {_array(environments)}",
    ]
    sources = {
        name: _service_sources(service, environments) for name, service in plan.services.items()
    }
    shared_default: list[str] | None = None
    generalised = [
        _with_service_placeholder(value, name) if isinstance(value, list) else None
        for name, value in sources.items()
    ]
    if (
        len(sources) > 1
        and generalised[0] is not None
        and all(g == generalised[0] for g in generalised)
    ):
        shared_default = generalised[0]
        lines += ["", "[defaults]", f"sources = [{', '.join(shared_default)}]"]

    for name, service in plan.services.items():
        guess = inference.services[name]
        header = f"services.{toml_key(name)}"
        lines += ["", f"[{header}]"]
        lines += _comment(_found_in(service))
        if guess.ports:
            lines += _comment(f"port: the value of {guess.ports_from}")
            ports = {env: str(port) for env, port in guess.ports.items()}
            lines.append(f"port = {_per_environment(ports, guess.environments)}")
        if guess.public_urls:
            reached = "; ".join(
                f"{' and '.join(who)} {'uses' if len(who) == 1 else 'use'} in {env}"
                for env, who in guess.public_urls_from.items()
            )
            lines += _comment(f"public_url: the https address {reached}")
            urls = {env: toml_string(url) for env, url in guess.public_urls.items()}
            lines.append(f"public_url = {_inline(urls.items())}")
        if shared_default is None:
            value = sources[name]
            if isinstance(value, list):
                lines.append(f"sources = [{', '.join(value)}]")
            else:
                lines += ["", f"[{header}.sources]"]
                lines += [f"{toml_key(env)} = [{', '.join(items)}]" for env, items in value.items()]

    for shared in inference.shared:
        lines += ["", f"[shared.{toml_key(shared.name)}]"]
        if shared.why:
            lines += _comment(f"{shared.why} (compared by fingerprint)")
        members = ((service, toml_string(key)) for service, key in shared.members)
        lines.append(f"members = {_inline(members)}")

    for endpoint in inference.endpoints.values():
        lines += ["", f"[endpoints.{toml_key(endpoint.name)}]"]
        lines += _comment(f"reached by {', '.join(endpoint.used_by)}" if endpoint.used_by else "")
        ports = {env: str(port) for env, port in endpoint.ports.items()}
        lines.append(f"port = {_per_environment(ports, environments)}")

    if plan.discovery is not None:
        lines += ["", "[discovery]", f"sources = [{toml_string(plan.discovery)}]"]
    return "\n".join(lines) + "\n"


def _found_in(service: ServicePlan) -> str:
    shown = service.files()
    if len(shown) > 6:
        shown = [*shown[:6], f"and {len(shown) - 6} more"]
    return "from " + ", ".join(shown)


# -- schemas ----------------------------------------------------------------------------


def _key_lines(guess: KeyGuess, shared: str | None) -> list[str]:
    lines = ["", f"[keys.{toml_key(guess.name)}]"]
    why = [*guess.why, *([f"shared setting {shared}"] if shared else [])]
    lines += _comment("; ".join(why))
    lines.append(f"type = {toml_string(guess.type)}")
    if guess.secret and guess.type != "secret":
        lines.append("secret = true")
    if guess.choices:
        lines.append(f"choices = {_array(guess.choices)}")
    if guess.required is not None:
        lines.append(f"required = {'true' if guess.required else 'false'}")
    if guess.environments:
        lines.append(f"environments = {_array(guess.environments)}")
    if guess.deprecated_names:
        lines.append(f"deprecated_names = {_array(guess.deprecated_names)}")
    if guess.targets is not None:
        lines.append(f"targets = {toml_string(guess.targets)}")
    return lines


def render_schema(service: ServicePlan, guess: ServiceGuess, shared_of: Mapping[str, str]) -> str:
    lines = _comment(
        f"The keys {guess.name} reads, as `driftcheck init` inferred them {_found_in(service)}. "
        "Each key's comment says where it was set and why it has its type: correct what "
        "is wrong. No value was copied here."
    )
    if guess.left_out:
        lines += _comment(
            f"Left out, as platform keys driftcheck knows: {', '.join(sorted(guess.left_out))}."
        )
    if guess.misspelt:
        misspelt = ", ".join(f"{name} (of {of})" for name, of in sorted(guess.misspelt.items()))
        lines += _comment(
            f"Left out, as they look misspelt, so that check reports them: {misspelt}."
        )
    if guess.strays:
        strays = ", ".join(f"{name} ({env})" for name, env in sorted(guess.strays.items()))
        lines += _comment(
            f"Left out, as set in one environment only, so that check reports them as "
            f"unknown: {strays}. Declare those the service reads."
        )
    if guess.listen_port_key is not None:
        lines.append(f"listen_port_key = {toml_string(guess.listen_port_key)}")
    ordered = sorted(guess.keys.values(), key=lambda k: k.name != guess.listen_port_key)
    for key in ordered:
        lines += _key_lines(key, shared_of.get(key.name))
    return "\n".join(lines) + "\n"


def render(plan: Plan, inference: Inference, file_count: int) -> dict[str, str]:
    """Every file to write, by path relative to the repository root; the config last."""
    files: dict[str, str] = {}
    for name, service in plan.services.items():
        shared_of = {
            key: shared.name
            for shared in inference.shared
            for s, key in shared.members
            if s == name
        }
        files[schema_path(name)] = render_schema(service, inference.services[name], shared_of)
    files[CONFIG_NAME] = render_config(plan, inference, file_count)
    return files
