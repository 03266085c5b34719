"""docker compose files: what each service's container gets in its environment, and its ports.

What a container sees follows docker compose (``docker compose -f a.yaml -f b.yaml config``):

* **Interpolation** of every string in the files, from the project ``.env`` beside the
  first file (or the file given as ``project_env``, as ``--env-file`` does): ``$VAR``,
  ``${VAR}``, ``${VAR:-default}`` (unset or empty), ``${VAR-default}`` (unset),
  ``${VAR:?message}`` / ``${VAR?message}`` (an error when unset, or empty for ``:?``),
  ``${VAR:+alternative}`` / ``${VAR+alternative}``, and ``$$`` for a literal ``$``. A ``$``
  followed by anything else is an error, as in compose. Defaults may nest
  (``${A:-${B:-x}}``). Interpolation is one pass over the project environment, never over
  its own results, so no value can refer to itself and no cycle can form. driftcheck's
  own process environment is never read: the shell a deployment runs compose from is not
  the one CI runs driftcheck in; put what it exports in the project ``.env`` or in
  ``project_env``.
* **env_file** (a path, a list, or ``{path, required}`` items) read in order with the same
  ``.env`` meaning as every ``.env`` source (python-dotenv's), its ``${VAR}`` resolved from
  the project environment; then **environment** (a mapping, or a list of ``KEY=value``),
  which wins. A key given without a value (``- KEY`` or ``KEY:``) takes its value from the
  project environment, or stays unset, also over an ``env_file`` value (as compose does).
* **ports** in short (``[host_ip:][published:]target[/protocol]``, ranges ``a-b``) and long
  (``target``, ``published``, ``host_ip``, ``protocol``) syntax. A published port is how
  the host reaches the service (``localhost:8080``, or the ``host_ip``): it becomes an
  :class:`~driftcheck.values.Address` whose target is the container port. On the project
  network a service is reached by its name on whatever port it listens on, with no
  mapping in between, so that needs no record: the service's listen port is the truth.
* **Several files** merge in order: ``environment`` key by key, ``env_file`` lists one
  after the other, ``ports`` together; relative paths are relative to the first file's
  directory (the project directory).

Where docker-compose 1.29 (the tool the tests compare with) and the Compose
Specification differ, the specification is followed: ``:+`` / ``+``, nested defaults,
booleans in ``environment`` (``true``), the long ``env_file`` form, env files interpolated
from the project environment, and ports such as ``22:22`` read as text, not YAML 1.1's
base-60 integer.

:func:`load_compose_project` reads files into a :class:`ComposeProject` (every service,
its environment entries and addresses); :func:`compose_service_source` gives the entries
of one service as a source.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.errors import DriftcheckError
from driftcheck.sources.textfile import read_text
from driftcheck.sources.yamlfile import YamlNode, load_yaml_documents
from driftcheck.values import Address, Entry, Origin, ParsedSource, SourceIssue

#: Names that reach a published port from the machine compose runs on.
PUBLISHED_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal")
#: Top-level sections compose interpolates (and so can fail on).
_INTERPOLATED_SECTIONS = ("services", "networks", "volumes", "secrets", "configs")
_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_DOLLAR = re.compile(r"\$")
_PORT_RANGE = re.compile(r"([0-9]+)(?:-([0-9]+))?")


@dataclass(slots=True)
class ComposeService:
    """One service of a compose project, resolved: what its container's environment holds
    (``entries``, one per key, where each value was set), and how it is reached."""

    name: str
    origin: Origin
    entries: list[Entry] = field(default_factory=list)
    ports: list[PortMapping] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    issues: list[SourceIssue] = field(default_factory=list)


@dataclass(slots=True)
class ComposeProject:
    """Every service the compose files define, in the order they first appear."""

    #: Every file read: the compose files, the project env file, the env files.
    files: tuple[str, ...]
    services: dict[str, ComposeService]


class _Unset(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _Invalid(Exception):
    pass


class _TooDeep(Exception):
    pass


#: How deep defaults may nest (``${A:-${B:-...}}``); deeper is refused, so that a value
#: cannot make interpolation recurse without bound.
MAX_NESTING = 32


class Interpolation:
    """Compose's variable substitution against one project environment (``lookup``)."""

    def __init__(self, lookup: Mapping[str, str | None]) -> None:
        self.lookup = lookup
        self._depth = 0

    def apply(self, text: str, display_path: str, line: int) -> str:
        """``text`` with its variables substituted; errors name the file, line and variable
        (never the text, which may hold a secret)."""
        if "$" not in text:
            return text
        self._depth = 0
        try:
            return self._substitute(text)
        except _TooDeep:
            raise DriftcheckError(
                f"interpolation nests more than {MAX_NESTING} levels deep", display_path, line
            ) from None
        except _Unset as unset:
            raise DriftcheckError(
                f"required variable {unset.name} is not set (${{{unset.name}:?...}} or "
                f"${{{unset.name}?...}}); set it in the project .env",
                display_path,
                line,
            ) from None
        except _Invalid:
            raise DriftcheckError(
                "invalid interpolation: '$' must be followed by a name, '{name...}' or "
                "another '$' (write '$$' for a literal '$')",
                display_path,
                line,
            ) from None

    def _value(self, name: str) -> str | None:
        value = self.lookup.get(name)
        return value if isinstance(value, str) else None

    def _substitute(self, text: str) -> str:
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise _TooDeep
        try:
            return self._substitute_level(text)
        finally:
            self._depth -= 1

    def _substitute_level(self, text: str) -> str:
        out: list[str] = []
        position = 0
        length = len(text)
        while True:
            found = _DOLLAR.search(text, position)
            if found is None:
                out.append(text[position:])
                return "".join(out)
            start = found.start()
            out.append(text[position:start])
            following = text[start + 1 : start + 2]
            if following == "$":
                out.append("$")
                position = start + 2
            elif following == "{":
                end = _closing_brace(text, start + 2)
                out.append(self._braced(text[start + 2 : end]))
                position = end + 1
            else:
                name = _NAME.match(text, start + 1)
                if name is None:
                    raise _Invalid
                out.append(self._value(name.group()) or "")
                position = name.end()
            if position >= length:
                return "".join(out)

    def _braced(self, inner: str) -> str:
        name = _NAME.match(inner)
        if name is None:
            raise _Invalid
        variable = name.group()
        rest = inner[name.end() :]
        value = self._value(variable)
        if not rest:
            return value or ""
        operator = rest[:2] if rest[:1] == ":" else rest[:1]
        argument = rest[len(operator) :]
        if operator not in (":-", "-", ":?", "?", ":+", "+"):
            raise _Invalid
        empty_counts_as_unset = operator.startswith(":")
        is_set = value is not None and (value != "" or not empty_counts_as_unset)
        kind = operator[-1]
        if kind == "-":
            return value if is_set and value is not None else self._substitute(argument)
        if kind == "?":
            if not is_set or value is None:
                raise _Unset(variable)
            return value
        return self._substitute(argument) if is_set else ""


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` that closes a ``${`` whose content starts at ``start``."""
    depth = 0
    position = start
    while True:
        close = text.find("}", position)
        if close == -1:
            raise _Invalid
        opened = text.find("${", position, close)
        if opened != -1:
            depth += 1
            position = opened + 2
            continue
        if depth == 0:
            return close
        depth -= 1
        position = close + 1


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One ``ports`` entry (one port of a range): the container port, and the host port
    and address it is published on (None: not published, or a port compose picks)."""

    target: int
    published: int | None
    host_ip: str | None
    protocol: str
    origin: Origin


@dataclass(slots=True)
class _RawService:
    """A service as the files give it, merged, before its environment is resolved."""

    name: str
    origin: Origin
    environment: dict[str, tuple[str | None, Origin]] = field(default_factory=dict)
    env_files: list[tuple[str, bool, Origin]] = field(default_factory=list)
    ports: list[PortMapping] = field(default_factory=list)


def load_compose_project(
    paths: Sequence[Path],
    display_paths: Sequence[str],
    project_env: tuple[Path, str] | None = None,
) -> ComposeProject:
    """Read compose files (merged in order, as ``docker compose -f ... -f ...``).

    ``project_env`` is the file to interpolate from, with its display path (as
    ``--env-file``); by default the ``.env`` beside the first file, if there is one.
    Raises :class:`DriftcheckError` for anything compose would refuse.
    """
    from driftcheck.sources.dotenv import parse_dotenv

    if not paths:
        raise ValueError("no compose file")
    project_dir = paths[0].parent
    lookup: dict[str, str | None] = {}
    if project_env is None:
        default = project_dir / ".env"
        if default.is_file():
            project_env = (default, _sibling_display(display_paths[0], ".env"))
    if project_env is not None:
        env_path, env_display = project_env
        text = read_text(env_path, env_display, universal_newlines=True)
        # docker compose reads it as UTF-8 with an optional byte-order mark.
        text = text.removeprefix("\ufeff")
        lookup = {entry.key: entry.value for entry in parse_dotenv(text, env_display).entries}
    interpolation = Interpolation(lookup)

    raw: dict[str, _RawService] = {}
    for path, display in zip(paths, display_paths, strict=True):
        _read_file(path, display, interpolation, raw)
    files = [*display_paths, *([project_env[1]] if project_env is not None else [])]
    services = {
        name: _resolve(service, project_dir, display_paths[0], interpolation, files)
        for name, service in raw.items()
    }
    return ComposeProject(files=tuple(dict.fromkeys(files)), services=services)


def compose_service_source(project: ComposeProject, service: str) -> ParsedSource:
    """The environment entries and addresses of one compose service, as a source."""
    found = project.services.get(service)
    if found is None:
        known = ", ".join(project.services) or "none"
        raise DriftcheckError(
            f"the compose files define no service '{service}' (they define: {known})",
            project.files[0],
        )
    return ParsedSource(
        entries=list(found.entries), issues=list(found.issues), addresses=list(found.addresses)
    )


def _sibling_display(display_path: str, name: str) -> str:
    parent = display_path.rpartition("/")[0]
    return f"{parent}/{name}" if parent else name


def _read_file(
    path: Path, display: str, interpolation: Interpolation, raw: dict[str, _RawService]
) -> None:
    documents = load_yaml_documents(read_text(path, display), display)
    if not documents or documents[0].root is None:
        raise DriftcheckError("compose file is empty", display)
    if len(documents) > 1:
        raise DriftcheckError("a compose file holds one YAML document", display, documents[1].line)
    root = documents[0].root
    if not root.is_mapping:
        raise DriftcheckError(
            f"top level is {root.kind_phrase}, expected a mapping with 'services'",
            display,
            root.line,
        )
    _check_interpolation(root, display, interpolation)
    services = root.child("services", "mapping", "'services'", display)
    if services is None:
        return
    for name, line, node in services.members:
        origin = Origin(display, line)
        if node.is_null:
            node = YamlNode("mapping", line)
        if not node.is_mapping:
            raise DriftcheckError(
                f"service '{name}' is {node.kind_phrase}, expected a mapping", display, line
            )
        service = raw.get(name)
        if service is None:
            service = raw[name] = _RawService(name, origin)
        _merge_service(service, node, display, interpolation)


def _check_interpolation(root: YamlNode, display: str, interpolation: Interpolation) -> None:
    """Interpolate every string once, as compose does before anything else: a required
    variable that is unset, or a stray ``$``, anywhere in these sections is an error."""
    seen: set[int] = set()
    stack = [node for name, _, node in root.members if name in _INTERPOLATED_SECTIONS]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.is_string:
            interpolation.apply(node.text, display, node.line)
        elif node.is_mapping:
            stack.extend(value for _, _, value in node.members)
        elif node.is_sequence:
            stack.extend(node.items)


def _text(node: YamlNode, display: str, interpolation: Interpolation, what: str) -> str:
    if not node.is_scalar or node.is_null:
        raise DriftcheckError(f"{what} is {node.kind_phrase}, expected a value", display, node.line)
    if node.is_string:
        return interpolation.apply(node.text, display, node.line)
    return node.scalar_text()


def _merge_service(
    service: _RawService, node: YamlNode, display: str, interpolation: Interpolation
) -> None:
    environment = node.get("environment")
    if environment is not None and not environment.is_null:
        _merge_environment(service, environment, display, interpolation)
    env_file = node.get("env_file")
    if env_file is not None and not env_file.is_null:
        items = env_file.items if env_file.is_sequence else [env_file]
        for item in items:
            service.env_files.append(_env_file_item(item, display, interpolation))
    ports = node.child("ports", "sequence", f"'ports' of service '{service.name}'", display)
    if ports is not None:
        known = {(p.target, p.published, p.host_ip, p.protocol) for p in service.ports}
        for item in ports.items:
            for port in _ports(item, display, interpolation):
                identity = (port.target, port.published, port.host_ip, port.protocol)
                if identity not in known:
                    known.add(identity)
                    service.ports.append(port)


def _merge_environment(
    service: _RawService, node: YamlNode, display: str, interpolation: Interpolation
) -> None:
    environment = service.environment
    if node.is_mapping:
        for key, line, value in node.members:
            origin = Origin(display, line)
            if value.is_null:
                environment[key] = (None, origin)
            elif value.is_scalar:
                environment[key] = (_text(value, display, interpolation, f"value of {key}"), origin)
            else:
                raise DriftcheckError(
                    f"environment value of {key} is {value.kind_phrase}, expected a value",
                    display,
                    line,
                )
        return
    if not node.is_sequence:
        raise DriftcheckError(
            f"'environment' of service '{service.name}' is {node.kind_phrase}, "
            "expected a mapping or a list of KEY=value",
            display,
            node.line,
        )
    for item in node.items:
        text = _text(item, display, interpolation, "an 'environment' item")
        key, equals, assigned = text.partition("=")
        if not key or any(char.isspace() for char in key):
            raise DriftcheckError(
                "an 'environment' item must be KEY=value or KEY (no whitespace in the name)",
                display,
                item.line,
            )
        environment[key] = (assigned if equals else None, Origin(display, item.line))


def _env_file_item(
    item: YamlNode, display: str, interpolation: Interpolation
) -> tuple[str, bool, Origin]:
    origin = Origin(display, item.line)
    if item.is_mapping:
        path_node = item.get("path")
        if path_node is None:
            raise DriftcheckError("an 'env_file' item needs 'path'", display, item.line)
        path = _text(path_node, display, interpolation, "'path'")
        required_node = item.get("required")
        required = True
        if required_node is not None:
            if required_node.tag != "tag:yaml.org,2002:bool":
                raise DriftcheckError(
                    "'required' of an 'env_file' item must be true or false",
                    display,
                    required_node.line,
                )
            required = required_node.scalar_text() == "true"
        return path, required, origin
    return _text(item, display, interpolation, "an 'env_file' item"), True, origin


def _port_numbers(text: str, display: str, line: int) -> list[int]:
    match = _PORT_RANGE.fullmatch(text.strip())
    if match is None:
        raise DriftcheckError("a port must be a number or a range a-b", display, line)
    first = int(match.group(1)[:6])
    last = int(match.group(2)[:6]) if match.group(2) else first
    if not (1 <= first <= last <= 65535):
        raise DriftcheckError("a port must be in 1..65535 (a range low-high)", display, line)
    return list(range(first, last + 1))


def _ports(item: YamlNode, display: str, interpolation: Interpolation) -> list[PortMapping]:
    origin = Origin(display, item.line)
    if item.is_mapping:
        target_node = item.get("target")
        if target_node is None:
            raise DriftcheckError("a long-syntax port needs 'target'", display, item.line)
        targets = _port_numbers(
            _text(target_node, display, interpolation, "'target'"), display, item.line
        )
        published_node = item.get("published")
        published: list[int | None] = [None] * len(targets)
        if published_node is not None and not published_node.is_null:
            text = _text(published_node, display, interpolation, "'published'")
            numbers = _port_numbers(text, display, published_node.line)
            published = _pair(numbers, targets, display, item.line)
        host_node = item.get("host_ip")
        host_ip = None
        if host_node is not None and not host_node.is_null:
            host_ip = _text(host_node, display, interpolation, "'host_ip'")
        protocol_node = item.get("protocol")
        protocol = "tcp"
        if protocol_node is not None and not protocol_node.is_null:
            protocol = _text(protocol_node, display, interpolation, "'protocol'")
        return [
            PortMapping(target, pub, host_ip, protocol, origin)
            for target, pub in zip(targets, published, strict=True)
        ]
    if not item.is_scalar or item.is_null:
        raise DriftcheckError(
            f"a port is {item.kind_phrase}, expected a string or a mapping", display, item.line
        )
    # The text as written: YAML 1.1 reads an unquoted 22:22 as a base-60 number.
    text = interpolation.apply(item.text, display, item.line) if item.is_string else item.text
    spec, _, protocol = text.partition("/")
    address: str | None = None
    if spec.startswith("["):
        close = spec.find("]")
        if close == -1 or spec[close + 1 : close + 2] != ":":
            raise DriftcheckError("a port's IPv6 host must be [address]:", display, item.line)
        address = spec[1:close]
        spec = spec[close + 2 :]
        parts = spec.split(":")
        if len(parts) == 1:
            parts = ["", *parts]
    else:
        parts = spec.split(":")
        if len(parts) == 3:
            address = parts.pop(0)
    if len(parts) > 2:
        raise DriftcheckError(
            "a port must be [host_ip:][published:]target[/protocol]", display, item.line
        )
    container_ports = _port_numbers(parts[-1], display, item.line)
    host_ports: list[int | None] = [None] * len(container_ports)
    if len(parts) == 2 and parts[0]:
        numbers = _port_numbers(parts[0], display, item.line)
        host_ports = _pair(numbers, container_ports, display, item.line)
    return [
        PortMapping(target, pub, address or None, protocol or "tcp", origin)
        for target, pub in zip(container_ports, host_ports, strict=True)
    ]


def _pair(published: list[int], targets: list[int], display: str, line: int) -> list[int | None]:
    if len(published) == len(targets):
        return list(published)
    if len(targets) == 1:
        # A published range for one container port: compose picks one of the range.
        return [published[0]]
    raise DriftcheckError(
        "a published port range must be as long as the container port range", display, line
    )


def _resolve(
    service: _RawService,
    project_dir: Path,
    first_display: str,
    interpolation: Interpolation,
    files: list[str],
) -> ComposeService:
    from driftcheck.sources.dotenv import parse_dotenv

    resolved = ComposeService(service.name, service.origin)
    values: dict[str, Entry] = {}
    for path_text, required, origin in service.env_files:
        path = project_dir / Path(path_text).expanduser()
        display = _relative_display(first_display, path_text)
        if not path.exists() and not path.is_symlink():
            if not required:
                continue
            raise DriftcheckError(
                f"env_file {display} of service '{service.name}' does not exist "
                "(mark it 'required: false' if that is expected)",
                origin.path,
                origin.line,
            )
        text = read_text(path, display, universal_newlines=True).removeprefix("\ufeff")
        files.append(display)
        parsed = parse_dotenv(text, display, environ=interpolation.lookup)
        resolved.issues.extend(parsed.issues)
        for entry in parsed.entries:
            if entry.value is None:
                entry = Entry(entry.key, _looked_up(interpolation, entry.key), entry.origin)
            values[entry.key] = entry
    for key, (value, origin) in service.environment.items():
        if value is None:
            value = _looked_up(interpolation, key)
        values[key] = Entry(key, value, origin)
    resolved.entries = list(values.values())

    resolved.ports = list(service.ports)
    for port in service.ports:
        if port.published is None:
            continue
        hosts: tuple[str, ...] = PUBLISHED_HOSTS
        if port.host_ip in ("127.0.0.1", "::1"):
            hosts = (port.host_ip, "localhost")
        elif port.host_ip and port.host_ip not in ("0.0.0.0", "::"):
            hosts = (port.host_ip,)
        resolved.addresses.append(
            Address(hosts, port.published, port.target, port.origin, "the published port")
        )
    return resolved


def _looked_up(interpolation: Interpolation, key: str) -> str | None:
    """A key named without a value takes the project environment's value, if any."""
    value = interpolation.lookup.get(key)
    return value if isinstance(value, str) else None


def _relative_display(first_display: str, path_text: str) -> str:
    if path_text.startswith("/"):
        return path_text
    parent = first_display.rpartition("/")[0]
    return posixpath.normpath(f"{parent}/{path_text}" if parent else path_text)
