"""Query parameters: each view declares the ones it accepts; an unknown or repeated one is 422 naming it
and listing the accepted ones, never ignored (``?sort=title`` or ``?limit=5`` must not quietly give the
default order or page size). A list parameter is read comma-separated (``?ordering=title,-id``) or repeated
(``?ordering=title&ordering=-id``, as generated clients send arrays), its values joined in order."""

from __future__ import annotations

import difflib
from collections.abc import Collection

from django.http import QueryDict
from rest_framework.request import Request

from api.exceptions import ValidationError
from api.serializers import shown

# Accepted everywhere: DRF's format override (the browsable API links to ?format=json).
ALWAYS_ACCEPTED = frozenset({"format"})
# At most this many offending parameters are named: the query string is the caller's, of any size.
MAX_REPORTED = 10
# What other APIs call our parameters, for "did you mean".
ALIASES = {
    "sort": "ordering",
    "sort_by": "ordering",
    "order": "ordering",
    "order_by": "ordering",
    "orderby": "ordering",
    "limit": "per_page",
    "page_size": "per_page",
    "pagesize": "per_page",
    "size": "per_page",
    "offset": "page",
    "q": "search",
    "query": "search",
}


def check_query_parameters(
    query: QueryDict, accepted: Collection[str], comma_separated: Collection[str] = (), repeatable: Collection[str] = ()
) -> None:
    """Raise 422 ``validation_error`` for each parameter of ``query`` not in ``accepted``, or given more than
    once unless ``comma_separated`` (its values are joined: ``join_comma_separated``) or ``repeatable``
    (``?tag=a&tag=b``)."""
    errors: dict[str, list[str]] = {}
    for name, values in query.lists():
        if name in ALWAYS_ACCEPTED:
            continue
        if name not in accepted:
            errors[shown(name)] = [unknown_parameter(name, accepted)]
        elif len(values) > 1 and name not in repeatable and name not in comma_separated:
            errors[name] = [f"Given {len(values)} times; give it once."]
        if len(errors) == MAX_REPORTED:
            break
    if errors:
        raise ValidationError(errors)


def join_comma_separated(query: QueryDict, comma_separated: Collection[str]) -> QueryDict:
    """``query`` with each ``comma_separated`` parameter given several times as one, its values joined with
    commas in order: ``?ordering=title&ordering=-id`` (an OpenAPI array as openapi-fetch and
    openapi-python-client send it) reads as ``?ordering=title,-id``. ``query`` itself when none is."""
    repeated = [name for name in comma_separated if len(query.getlist(name)) > 1]
    if not repeated:
        return query
    joined = query.copy()
    for name in repeated:
        joined[name] = ",".join(query.getlist(name))
    joined._mutable = False
    return joined


def unknown_parameter(name: str, accepted: Collection[str]) -> str:
    if not accepted:
        return "This endpoint takes no query parameters."
    alias = ALIASES.get(name.lower())
    guess = alias if alias in accepted else next(iter(difflib.get_close_matches(name, accepted, n=1)), None)
    did_you_mean = f" Did you mean {guess}?" if guess else ""
    return f"Unknown query parameter.{did_you_mean} Accepted: {', '.join(sorted(accepted))}."


class QueryParametersMixin:
    """For every API view. ``query_parameters`` maps an action (a viewset's ``list``, ``retrieve``…, or an
    ``APIView``'s method name) to the parameters it accepts; a list action also accepts its paginator's and
    its filterset's. Checked in ``initial()``, after authentication: a stranger learns nothing from it."""

    query_parameters: dict[str, Collection[str]] = {}
    # Parameters whose several values are sent comma-separated, or by repeating the parameter (joined in order).
    comma_separated_parameters: Collection[str] = ()
    # Parameters that may be given several times (``?tag=a&tag=b``); a list action's filterset may name more in
    # its own ``repeatable_parameters``.
    repeatable_parameters: Collection[str] = ()

    def get_query_parameters(self, request: Request) -> set[str]:
        action = getattr(self, "action", None) or request.method.lower()
        accepted = set(self.query_parameters.get(action, ()))
        if action == "list":
            if getattr(self, "paginator", None) is not None:
                accepted.update(self.paginator.query_parameters)
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                accepted.update(filterset_class.base_filters)
        return accepted

    def get_repeatable_parameters(self, request: Request) -> set[str]:
        repeatable = set(self.repeatable_parameters)
        if (getattr(self, "action", None) or request.method.lower()) == "list":
            repeatable.update(getattr(getattr(self, "filterset_class", None), "repeatable_parameters", ()))
        return repeatable

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not request._request.META.get("QUERY_STRING"):
            return  # nothing to check or join: most API reads (the parameter sets cost more than the check)
        check_query_parameters(
            request.query_params,
            self.get_query_parameters(request),
            self.comma_separated_parameters,
            self.get_repeatable_parameters(request),
        )
        # Every reader (filters, paginator, view) sees a repeated list parameter as its comma-separated form.
        request._request.GET = join_comma_separated(request._request.GET, self.comma_separated_parameters)
