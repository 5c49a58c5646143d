"""The published OpenAPI document: every schema it names is the one the endpoint really
uses. django-ninja files every operation's schemas under their class names in one
shared table, so two classes with the same name quietly overwrite each other and an
endpoint ends up documenting another's body."""

import enum
import json
import types
import typing

from ninja import NinjaAPI, Router, Schema
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from sharewise.api.urls import api, with_errors


def operations(ninja_api):
    for bound in ninja_api._get_bound_routers():
        for path_view in bound.path_operations.values():
            yield from path_view.operations


def _classes(annotation, found):
    """Every model and enum class reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _classes(field.annotation, found)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
    for argument in typing.get_args(annotation):
        _classes(argument, found)


def models_of(operation):
    """The request and response classes the view really uses."""
    found = set()
    for model in operation.models:  # ninja's wrapper of the view's parameters
        for field in model.model_fields.values():
            _classes(field.annotation, found)
    for model in operation.response_models.values():
        if isinstance(model, type) and issubclass(model, BaseModel):
            for field in model.model_fields.values():
                _classes(field.annotation, found)
    return found


def documented_alone(ninja_api, operation):
    """The operation as the document would show it were it the only one: its own
    description and the schemas it files."""
    alone = OpenAPISchema.__new__(OpenAPISchema)
    alone.api, alone.path_prefix = ninja_api, ""
    alone.schemas, alone.securitySchemes, alone.all_operation_ids = {}, {}, set()
    details = with_errors(alone.operation_details(operation))
    return json.loads(json.dumps(details)), json.loads(json.dumps(alone.schemas))


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def problems_in(ninja_api, spec: dict) -> list[str]:
    problems = []
    components = spec.get("components", {}).get("schemas", {})
    for ref in sorted(set(_refs(spec))):
        name = ref.removeprefix("#/components/schemas/")
        if not ref.startswith("#/components/schemas/") or name not in components:
            problems.append(f"{ref} points at no schema")

    by_name: dict[str, set] = {}
    documented = {
        details["operationId"]: details
        for path in spec["paths"].values()
        for details in path.values()
    }
    for operation in operations(ninja_api):
        for cls in models_of(operation):
            by_name.setdefault(cls.__name__, set()).add(cls)
        own, schemas = documented_alone(ninja_api, operation)
        where = own["operationId"]
        if documented.get(where) != own:
            problems.append(f"{where} is documented with another operation's schemas")
        for name, schema in schemas.items():
            if components.get(name) != schema:
                problems.append(f"{where} uses {name}, but the document shows another {name}")
    for name, classes in sorted(by_name.items()):
        if len(classes) > 1:
            where = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
            problems.append(f"{name} names {len(classes)} classes: {', '.join(where)}")
    return problems


def test_every_schema_in_the_published_document_is_the_one_its_endpoint_uses(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert problems_in(api, spec) == []


def test_an_alert_decision_documents_the_alert_decision_not_the_sharing_decision(client):
    spec = client.get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/alerts/{alert_id}/decision"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/AlertDecisionIn"
    assert answer == "#/components/schemas/AlertDecisionOut"
    fields = spec["components"]["schemas"]["AlertDecisionIn"]["properties"]
    assert set(fields) == {"outcome", "rationale", "monitor_until"}
    shared = spec["paths"]["/api/v1/sharing-decisions"]["post"]["requestBody"]
    assert shared["content"]["application/json"]["schema"]["$ref"].endswith("/SharingDecisionIn")


def _colliding_api():
    """Two routers whose decision bodies share a class name, as alerts and sharing
    decisions once did."""

    def decision_class(**fields):
        return types.new_class(
            "DecisionIn", (Schema,), {}, lambda ns: ns.update({"__annotations__": fields})
        )

    toy = NinjaAPI(urls_namespace="toy-openapi-check")
    alerts, sharing = Router(), Router()
    alert_decision = decision_class(outcome=str, rationale=str)
    sharing_decision = decision_class(person_id=int, consent=str)

    @alerts.post("/alerts/{alert_id}/decision")
    def decide_alert(request, alert_id: int, payload: alert_decision):
        return {}

    @sharing.post("/sharing-decisions")
    def record_decision(request, payload: sharing_decision):
        return {}

    toy.add_router("", alerts)
    toy.add_router("", sharing)
    return toy


def test_the_check_finds_two_classes_filed_under_one_name():
    toy = _colliding_api()
    spec = json.loads(json.dumps(toy.get_openapi_schema(path_prefix="")))
    problems = problems_in(toy, spec)
    assert any(p.startswith("DecisionIn names 2 classes") for p in problems)
    assert any(
        p.endswith("decide_alert uses DecisionIn, but the document shows another DecisionIn")
        for p in problems
    )


def test_the_check_finds_a_reference_to_nothing():
    toy = _colliding_api()
    spec = json.loads(json.dumps(toy.get_openapi_schema(path_prefix="")))
    del spec["components"]["schemas"]["DecisionIn"]
    assert "#/components/schemas/DecisionIn points at no schema" in problems_in(toy, spec)
