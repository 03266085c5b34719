"""Kubernetes and Cloud Run manifests: the environment of each container, and its Services.

Read from any number of YAML (or JSON) files, each with any number of documents: plain
manifests, ``kubectl get -o yaml|json`` output (``kind: List``, nested too), ``helm
template`` and ``kubectl kustomize`` output. What each container's process sees:

* **Workloads**: Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
  Job, CronJob, Pod, and Cloud Run services (``serving.knative.dev/v1`` ``Service``, as
  ``gcloud run services describe --format export`` writes them).
* ``envFrom`` (``configMapRef`` / ``secretRef``, with ``prefix``) in order, then ``env``,
  which wins, as the kubelet does. ``value`` (omitted: empty), ``$(VAR)`` expansion of
  earlier variables (``$$`` escapes), ``valueFrom`` with ``configMapKeyRef`` /
  ``secretKeyRef`` (resolved from the ConfigMaps and Secrets in the files read) and
  ``fieldRef`` / ``resourceFieldRef`` (set by the platform: present, value unknown).
* **ConfigMap** ``data``; **Secret** ``data`` (base64) and ``stringData``. Values from a
  Secret are marked as coming from a secret store: only ever shown as fingerprints.
* A reference to a ConfigMap or Secret that the files do not define is taken as made
  elsewhere (a sealed or external secret): the variable is present, its value unknown.
  A reference to a *key* that a defined ConfigMap or Secret lacks, without
  ``optional: true``, is a ``dangling-reference`` issue (the pod would not start).
* **Service** ``port`` / ``targetPort`` (by number or by the name of a container port),
  matched to workloads by their pod labels, become :class:`~driftcheck.values.Address`
  records (hosts ``name``, ``name.namespace``, ``name.namespace.svc``,
  ``name.namespace.svc.cluster.local``).
* In Cloud Run, ``secretKeyRef`` names a Secret Manager secret and its version (``key``),
  never resolved here; the platform sets ``PORT`` to the container's ``containerPort``
  (8080 by default), which is delivered as an entry.

Documents of any other kind (Ingress, Namespace, RBAC, custom resources...) are skipped:
they set no environment. An unknown kind in one of Kubernetes' own API groups (``v1``,
``apps/v1``, ``batch/v1``) is an error, since it is a typo (``Deploymnet``) that would
otherwise hide a workload. A document that is not an object with ``apiVersion`` and
``kind`` is an error.

:func:`load_manifests` reads files into :class:`Manifests` (every workload, its
containers and their entries); :func:`workload_source` gives one container as a source.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.errors import DriftcheckError
from driftcheck.sources.textfile import read_text
from driftcheck.sources.yamlfile import YamlNode, load_yaml_documents
from driftcheck.values import Address, Entry, Origin, ParsedSource, Reference, SourceIssue

#: Where the pod spec is, per workload kind.
_POD_SPEC_PATHS = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
_LABEL_PATHS = {
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
    "Pod": ("metadata", "labels"),
}
_TEMPLATE_LABELS = ("spec", "template", "metadata", "labels")
#: Kinds of Kubernetes' own groups, so a misspelt one is caught.
_BUILT_IN_KINDS = {
    "v1": {
        "Pod",
        "Service",
        "ConfigMap",
        "Secret",
        "Namespace",
        "ServiceAccount",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "Endpoints",
        "LimitRange",
        "ResourceQuota",
        "ReplicationController",
        "Node",
        "Event",
        "PodTemplate",
        "Binding",
        "ComponentStatus",
        "List",
    },
    "apps/v1": {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"},
    "batch/v1": {"Job", "CronJob"},
}
_KNATIVE = "serving.knative.dev/"
CLOUD_RUN_DEFAULT_PORT = 8080
_EXPANSION = re.compile(r"\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")
#: What the kubelet accepts as a variable name from envFrom; other keys are skipped.
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


@dataclass(slots=True)
class Container:
    """One container and what its process sees: entries in the order they take effect."""

    name: str
    origin: Origin
    entries: list[Entry] = field(default_factory=list)
    issues: list[SourceIssue] = field(default_factory=list)
    #: (port name or None, containerPort, where)
    ports: list[tuple[str | None, int, Origin]] = field(default_factory=list)


@dataclass(slots=True)
class Workload:
    """A workload (or a Cloud Run service) and its containers."""

    kind: str
    name: str
    namespace: str
    origin: Origin
    cloud_run: bool
    labels: dict[str, str] = field(default_factory=dict)
    containers: list[Container] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(slots=True)
class _Data:
    """A ConfigMap's or Secret's keys: value (None for ``binaryData``) and line of each."""

    kind: str
    name: str
    origin: Origin
    values: dict[str, tuple[str | None, Origin]]
    secret: bool


@dataclass(slots=True)
class _ServiceObject:
    name: str
    namespace: str
    selector: dict[str, str]
    #: (port, targetPort as written, where)
    ports: list[tuple[int, int | str, Origin]]


@dataclass(slots=True)
class Manifests:
    """Everything the files define that bears on a process's environment."""

    files: tuple[str, ...]
    workloads: list[Workload] = field(default_factory=list)
    _data: dict[tuple[str, str, str], _Data] = field(default_factory=dict, repr=False)
    _services: list[_ServiceObject] = field(default_factory=list, repr=False)


def load_manifests(paths: Sequence[Path], display_paths: Sequence[str]) -> Manifests:
    """Read manifest files and resolve every container's environment."""
    manifests = Manifests(files=tuple(display_paths))
    pending: list[tuple[YamlNode, Workload, str]] = []
    for path, display in zip(paths, display_paths, strict=True):
        for document in load_yaml_documents(read_text(path, display), display):
            if document.root is None:
                continue
            for node in _objects(document.root, display):
                workload = _read_object(node, display, manifests)
                if workload is not None:
                    pending.append((node, workload, display))
    for node, workload, display in pending:
        _read_containers(node, workload, display, manifests)
        manifests.workloads.append(workload)
    _attach_services(manifests)
    return manifests


def workload_source(
    manifests: Manifests, workload: str, container: str | None = None, cloud_run: bool = False
) -> ParsedSource:
    """One container of one workload as a source: its entries, issues and addresses.

    ``workload`` is a name, or ``Kind/name`` where names repeat across kinds;
    ``container`` may be left out when the workload has one container (or one named
    like the workload).
    """
    chosen = _find_workload(manifests, workload, cloud_run)
    if container is None:
        if len(chosen.containers) == 1:
            picked = chosen.containers[0]
        else:
            named = [c for c in chosen.containers if c.name == chosen.name]
            if len(named) != 1:
                names = ", ".join(c.name for c in chosen.containers) or "none"
                raise DriftcheckError(
                    f"{chosen.qualified_name} has several containers ({names}); "
                    "choose one with 'container'",
                    chosen.origin.path,
                    chosen.origin.line,
                )
            picked = named[0]
    else:
        found = [c for c in chosen.containers if c.name == container]
        if not found:
            names = ", ".join(c.name for c in chosen.containers) or "none"
            raise DriftcheckError(
                f"{chosen.qualified_name} has no container '{container}' (it has: {names})",
                chosen.origin.path,
                chosen.origin.line,
            )
        picked = found[0]
    return ParsedSource(
        entries=list(picked.entries),
        issues=list(picked.issues),
        addresses=list(chosen.addresses),
    )


def _find_workload(manifests: Manifests, selector: str, cloud_run: bool) -> Workload:
    kind, _, name = selector.rpartition("/")
    candidates = [
        w
        for w in manifests.workloads
        if w.name == name and (not kind or w.kind == kind) and (w.cloud_run or not cloud_run)
    ]
    if len(candidates) == 1:
        return candidates[0]
    what = "Cloud Run service" if cloud_run else "workload"
    if not candidates:
        known = ", ".join(w.qualified_name for w in manifests.workloads) or "none"
        raise DriftcheckError(
            f"the manifests define no {what} '{selector}' (they define: {known})",
            manifests.files[0],
        )
    names = ", ".join(f"{w.qualified_name} in {w.namespace}" for w in candidates)
    raise DriftcheckError(
        f"'{selector}' names several {what}s ({names}); write Kind/name", manifests.files[0]
    )


def _objects(root: YamlNode, display: str) -> Iterator[YamlNode]:
    """The objects of a document: itself, or the items of a (nested) List."""
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.is_mapping:
            raise DriftcheckError(
                f"document is {node.kind_phrase}, expected a Kubernetes object", display, node.line
            )
        kind = _string(node.get("kind"))
        if kind is not None and kind.endswith("List") and node.get("items") is not None:
            items = node.child("items", "sequence", f"'items' of a {kind}", display)
            if items is not None:
                stack.extend(reversed(items.items))
            continue
        yield node


def _string(node: YamlNode | None) -> str | None:
    if node is None or not node.is_scalar or node.is_null:
        return None
    return node.scalar_text()


def _path(node: YamlNode | None, *keys: str) -> YamlNode | None:
    for key in keys:
        if node is None:
            return None
        node = node.get(key)
    return node


def _read_object(node: YamlNode, display: str, manifests: Manifests) -> Workload | None:
    api_version = _string(node.get("apiVersion"))
    kind = _string(node.get("kind"))
    if not api_version or not kind:
        missing = "apiVersion" if not api_version else "kind"
        raise DriftcheckError(
            f"document has no '{missing}'; expected a Kubernetes object", display, node.line
        )
    known = _BUILT_IN_KINDS.get(api_version)
    if known is not None and kind not in known:
        raise DriftcheckError(
            f"unknown kind '{kind}' for apiVersion {api_version}", display, node.key_line("kind")
        )
    name = _string(_path(node, "metadata", "name")) or ""
    namespace = _string(_path(node, "metadata", "namespace")) or "default"
    origin = Origin(display, node.line)
    if api_version.startswith(_KNATIVE) and kind == "Service":
        labels = _labels(_path(node, "spec", "template", "metadata", "labels"))
        return Workload(kind, name, namespace, origin, cloud_run=True, labels=labels)
    if kind in _POD_SPEC_PATHS:
        labels = _labels(_path(node, *_LABEL_PATHS.get(kind, _TEMPLATE_LABELS)))
        return Workload(kind, name, namespace, origin, cloud_run=False, labels=labels)
    if kind in ("ConfigMap", "Secret") and api_version == "v1":
        data = _read_data(node, kind, name, display)
        manifests._data[(kind, namespace, name)] = data
    elif kind == "Service" and api_version == "v1":
        manifests._services.append(_read_service(node, name, namespace, display))
    return None


def _labels(node: YamlNode | None) -> dict[str, str]:
    if node is None or not node.is_mapping:
        return {}
    return {key: value.scalar_text() for key, _, value in node.members if value.is_scalar}


def _read_data(node: YamlNode, kind: str, name: str, display: str) -> _Data:
    values: dict[str, tuple[str | None, Origin]] = {}
    secret = kind == "Secret"
    data = node.child("data", "mapping", f"'data' of {kind} {name}", display)
    if data is not None:
        for key, line, value in data.members:
            text = "" if value.is_null else value.scalar_text()
            if secret:
                text = _decode_base64(text, key, name, display, line)
            values[key] = (text, Origin(display, line))
    binary = node.get("binaryData")
    if binary is not None and binary.is_mapping:
        for key, line, _ in binary.members:
            values[key] = (None, Origin(display, line))
    if secret:
        string_data = node.get("stringData")
        if string_data is not None and string_data.is_mapping:
            for key, line, value in string_data.members:
                values[key] = ("" if value.is_null else value.scalar_text(), Origin(display, line))
    return _Data(kind, name, Origin(display, node.line), values, secret)


def _decode_base64(text: str, key: str, name: str, display: str, line: int) -> str:
    # The API server decodes strictly (Go's StdEncoding); YAML folding may leave newlines.
    compact = "".join(text.split())
    try:
        decoded = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise DriftcheckError(
            f"data key {key} of Secret {name} is not valid base64", display, line
        ) from None
    return decoded.decode("utf-8", "surrogateescape")


def _read_service(node: YamlNode, name: str, namespace: str, display: str) -> _ServiceObject:
    selector = _labels(_path(node, "spec", "selector"))
    ports: list[tuple[int, int | str, Origin]] = []
    port_list = _path(node, "spec", "ports")
    if port_list is not None and port_list.is_sequence:
        for item in port_list.items:
            port = _port_number(item.get("port"), display)
            if port is None:
                continue
            target_node = item.get("targetPort")
            target: int | str = port
            if target_node is not None and not target_node.is_null:
                target_text = target_node.scalar_text()
                target = int(target_text) if target_text.isdigit() else target_text
            ports.append((port, target, Origin(display, item.line)))
    return _ServiceObject(name, namespace, selector, ports)


def _port_number(node: YamlNode | None, display: str) -> int | None:
    if node is None or node.is_null:
        return None
    text = node.scalar_text()
    if not text.isdigit() or not 1 <= int(text[:6]) <= 65535:
        raise DriftcheckError("a port must be a number in 1..65535", display, node.line)
    return int(text)


def _read_containers(
    node: YamlNode, workload: Workload, display: str, manifests: Manifests
) -> None:
    if workload.cloud_run:
        pod = _path(node, "spec", "template", "spec")
    else:
        pod = _path(node, *_POD_SPEC_PATHS[workload.kind])
    containers = _path(pod, "containers")
    if containers is None or not containers.is_sequence:
        return
    for number, item in enumerate(containers.items, start=1):
        if not item.is_mapping:
            raise DriftcheckError(
                f"container {number} of {workload.qualified_name} is {item.kind_phrase}",
                display,
                item.line,
            )
        name = _string(item.get("name")) or (workload.name if workload.cloud_run else "")
        container = Container(name, Origin(display, item.line))
        _container_ports(item, container, display)
        _container_environment(item, container, workload, display, manifests)
        workload.containers.append(container)


def _container_ports(item: YamlNode, container: Container, display: str) -> None:
    ports = item.get("ports")
    if ports is None or not ports.is_sequence:
        return
    for port in ports.items:
        number = _port_number(port.get("containerPort"), display)
        if number is not None:
            container.ports.append((_string(port.get("name")), number, Origin(display, port.line)))


def _container_environment(
    item: YamlNode, container: Container, workload: Workload, display: str, manifests: Manifests
) -> None:
    values: dict[str, Entry] = {}
    if workload.cloud_run:
        # Cloud Run sets PORT to the container port; setting it yourself is refused.
        if container.ports:
            _, port, origin = container.ports[0]
        else:
            port, origin = CLOUD_RUN_DEFAULT_PORT, container.origin
        values["PORT"] = Entry("PORT", str(port), origin)
    env_from = item.get("envFrom")
    if env_from is not None and env_from.is_sequence and not workload.cloud_run:
        for source in env_from.items:
            _env_from(source, values, workload, manifests)
    env = item.child("env", "sequence", f"'env' of container {container.name}", display)
    if env is not None:
        for variable in env.items:
            entry = _env_variable(variable, values, container, workload, display, manifests)
            values.pop(entry.key, None)
            values[entry.key] = entry
    container.entries = list(values.values())


def _env_from(
    source: YamlNode, values: dict[str, Entry], workload: Workload, manifests: Manifests
) -> None:
    prefix = _string(source.get("prefix")) or ""
    for kind, field_name in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
        ref = source.get(field_name)
        if ref is None:
            continue
        name = _string(ref.get("name")) or ""
        data = manifests._data.get((kind, workload.namespace, name))
        if data is None:
            continue  # made elsewhere: its keys are not known here
        for key, (value, origin) in data.values.items():
            variable = prefix + key
            if value is None or not _ENV_NAME.fullmatch(variable):
                # binaryData is not delivered by envFrom; nor are keys that are not
                # variable names (the kubelet skips them).
                continue
            reference = Reference(kind, name, key)
            values.pop(variable, None)
            values[variable] = Entry(
                variable, value, origin, reference=reference, from_secret_store=data.secret
            )


def _env_variable(
    variable: YamlNode,
    values: dict[str, Entry],
    container: Container,
    workload: Workload,
    display: str,
    manifests: Manifests,
) -> Entry:
    name = _string(variable.get("name")) if variable.is_mapping else None
    if not name:
        raise DriftcheckError(
            f"an 'env' item of container {container.name} has no 'name'", display, variable.line
        )
    origin = Origin(display, variable.line)
    value_from = variable.get("valueFrom")
    if value_from is None or value_from.is_null:
        value_node = variable.get("value")
        text = "" if value_node is None or value_node.is_null else value_node.scalar_text()
        return _expand(name, text, origin, values)
    for field_name, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
        ref = value_from.get(field_name)
        if ref is None:
            continue
        ref_name = _string(ref.get("name")) or ""
        key = _string(ref.get("key")) or ""
        if workload.cloud_run and kind == "Secret":
            return Entry(name, None, origin, reference=Reference("Secret Manager", ref_name, key))
        reference = Reference(kind, ref_name, key)
        data = manifests._data.get((kind, workload.namespace, ref_name))
        if data is None:
            return Entry(
                name, None, origin, reference=reference, from_secret_store=kind == "Secret"
            )
        found = data.values.get(key)
        if found is None:
            optional = _string(ref.get("optional")) == "true"
            if not optional:
                container.issues.append(
                    SourceIssue(
                        "dangling-reference",
                        origin,
                        f"{name} refers to key '{key}' of {kind} {ref_name} "
                        f"({data.origin}), which does not define it",
                        key=name,
                    )
                )
                return Entry(name, None, origin, reference=reference)
            # An optional reference to a missing key sets nothing.
            return Entry(name, None, origin)
        value, value_origin = found
        return Entry(name, value, value_origin, reference=reference, from_secret_store=data.secret)
    for field_name in ("fieldRef", "resourceFieldRef"):
        ref = value_from.get(field_name)
        if ref is not None:
            path = _string(ref.get("fieldPath")) or _string(ref.get("resource")) or ""
            return Entry(name, None, origin, reference=Reference("field", path))
    raise DriftcheckError(
        f"'valueFrom' of {name} names no configMapKeyRef, secretKeyRef, fieldRef or "
        "resourceFieldRef",
        display,
        value_from.line,
    )


def _expand(name: str, text: str, origin: Origin, values: dict[str, Entry]) -> Entry:
    """``$(VAR)`` in a value, as the kubelet expands it from the variables before it."""
    if "$" not in text:
        return Entry(name, text, origin)
    unknown: list[Entry] = []
    secret = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal secret
        referenced = match.group(1)
        if referenced is None:
            return "$"
        earlier = values.get(referenced)
        if earlier is None:
            return match.group(0)  # unresolvable: left as written
        secret = secret or earlier.from_secret_store
        if earlier.value is None:
            unknown.append(earlier)
            return ""
        return earlier.value

    expanded = _EXPANSION.sub(substitute, text)
    if unknown:
        return Entry(name, None, origin, reference=unknown[0].reference, from_secret_store=secret)
    return Entry(name, expanded, origin, from_secret_store=secret)


def _attach_services(manifests: Manifests) -> None:
    for service in manifests._services:
        if not service.selector:
            continue
        hosts = (
            service.name,
            f"{service.name}.{service.namespace}",
            f"{service.name}.{service.namespace}.svc",
            f"{service.name}.{service.namespace}.svc.cluster.local",
        )
        for workload in manifests.workloads:
            if workload.namespace != service.namespace or not all(
                workload.labels.get(label) == value for label, value in service.selector.items()
            ):
                continue
            named = {
                port_name: number
                for container in workload.containers
                for port_name, number, _ in container.ports
                if port_name
            }
            for port, target, origin in service.ports:
                number = target if isinstance(target, int) else named.get(target)
                workload.addresses.append(
                    Address(hosts, port, number, origin, f"Service {service.name}'s port")
                )
