"""Categories and tags in the admin, under the API's rules: every write goes through ``taxonomy.services`` (slugs,
cycles, depth, names unique whatever their case) and a save they refuse shows the form again with the reason.

- Categories: listed as the tree, each indented under its parent, siblings in their order, with an editable
  ``order`` column (drag-free ordering) and their post counts. A category with subcategories cannot be deleted
  (Django's page names them): move them first.
- Tags: listed with their post counts, sortable.
- Posts: ``PostTermsAdminMixin`` gives the post form autocomplete pickers for both (and, to whoever may create tags
  while writing, a field for new ones), written with the post in its transaction.

Editors manage categories and tags; Authors and Contributors see them (the pickers need it) and attach them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from posts.models import Post
from taxonomy import policies, selectors, services
from taxonomy.models import NAME_MAX_LENGTH, SLUG_MAX_LENGTH, Category, Tag, validate_slug
from taxonomy.policies import CATEGORY, TAG
from taxonomy.settings import taxonomy_settings

TREE_SEPARATOR = " \u203a "  # a single right-pointing angle quotation mark


class Refused(Exception):
    """``taxonomy.services`` refused a valid form's save; the transaction has rolled back and the same submission
    is shown again with ``errors``."""

    def __init__(self, errors: ValidationError) -> None:
        super().__init__(errors)
        self.errors = errors


def add_refusal(form: forms.BaseForm, refused: ValidationError) -> None:
    fields = refused.error_dict.items() if hasattr(refused, "error_dict") else [(None, refused.error_list)]
    for field, errors in fields:
        form.add_error(field if field in form.fields else None, errors)


def slug_field() -> forms.CharField:
    return forms.CharField(
        max_length=SLUG_MAX_LENGTH,
        validators=[validate_slug],
        required=False,
        help_text="Leave blank to make one from the name. On creation a taken slug gets a -2, -3… suffix.",
    )


class ServiceForm(forms.ModelForm):
    """A category or tag form whose save the services may refuse (``refused``: shown as errors)."""

    refused: ValidationError | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields and not self.instance._state.adding:
            self.fields["slug"].required = True
            self.fields["slug"].help_text = "Renaming changes its public URL."

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if self.refused is not None:
            add_refusal(self, self.refused)
        return cleaned_data

    def validate_unique(self) -> None:
        if self.instance._state.adding:
            return  # the slug is the only unique field, and the services allocate a free one (-2, -3…)
        super().validate_unique()


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through ``taxonomy.services``; ``service_fields`` are what a form may write."""

    service_fields: tuple[str, ...] = ()

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.refused = getattr(request, "_taxonomy_refused", None)
        return form

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:
            request._taxonomy_refused = refused.errors
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj, form: forms.ModelForm, change: bool) -> None:
        names = [name for name in self.service_fields if name in form.cleaned_data]
        if change:
            names = [name for name in names if name in form.changed_data]
        data = {name: form.cleaned_data[name] for name in names}
        if not change and not data.get("slug"):
            data.pop("slug", None)
        try:
            saved = self.service_save(request.user, obj.pk if change else None, data)
        except ValidationError as refused:
            raise Refused(refused) from None
        # The admin goes on with ``obj`` (change message, redirect): make it the row the service wrote.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def service_save(self, user, pk: int | None, data: dict[str, Any]):
        raise NotImplementedError

    @admin.display(description="Posts", ordering="post_count")
    def posts_count(self, obj) -> int:
        return obj.post_count


# ---------------------------------------------------------------------------- categories


def tree_positions() -> dict[int, int]:
    """Every category's place in the tree read top to bottom: parents before their children, siblings in their
    order (``order``, ``name``). One query."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Category.objects.order_by("depth", "order", "name", "id").values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    positions: dict[int, int] = {}
    stack = list(reversed(children[None]))
    while stack:
        pk = stack.pop()
        positions[pk] = len(positions)
        stack.extend(reversed(children[pk]))
    return positions


def category_labels(categories: Iterable[Category]) -> dict[int, str]:
    """``{pk: "Electronics > Computers > Laptops"}`` (joined by ``TREE_SEPARATOR``): each category with its ancestors'
    names. One query."""
    categories = list(categories)
    names = {category.pk: category.name for category in categories}
    missing = {pk for category in categories for pk in category.ancestor_ids if pk not in names}
    if missing:
        names.update(Category.objects.filter(pk__in=missing).values_list("pk", "name"))
    return {
        category.pk: TREE_SEPARATOR.join([*(names[pk] for pk in category.ancestor_ids), category.name])
        for category in categories
    }


class TreeChangeList(ChangeList):
    """The category list in tree order (``tree_positions``) unless a column is sorted. Past
    ``TREE_MAX_NODES`` categories, subtrees stay together but siblings come by id."""

    def _get_default_ordering(self) -> list[str]:
        # Django's hook for the order without a sorted column, which also marks the column sorted (the name's).
        return ["tree_position"]

    def get_queryset(self, request: HttpRequest, exclude_parameters=None) -> QuerySet:
        if "tree_position" not in self.root_queryset.query.annotations:
            self.root_queryset = self.root_queryset.annotate(tree_position=self._tree_position())
        return super().get_queryset(request, exclude_parameters)

    @staticmethod
    def _tree_position():
        if Category.objects.count() <= taxonomy_settings.TREE_MAX_NODES:
            whens = [When(pk=pk, then=Value(position)) for pk, position in tree_positions().items()]
            return Case(*whens, default=Value(0), output_field=IntegerField())
        return Concat("tree_path", Cast("pk", TextField()), Value("/"), output_field=TextField())


class CategoryAdminForm(ServiceForm):
    slug = slug_field()
    parent = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        required=False,
        empty_label="— (top level)",
        help_text="Moving a category moves its subcategories with it.",
    )

    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "order", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "parent" not in self.fields:
            return
        choices = Category.objects.all()
        if not self.instance._state.adding:  # not under itself nor its own subcategories
            choices = choices.exclude(pk__in=Category.objects.subtree(self.instance).values("pk"))
        positions = tree_positions()
        ordered = sorted(choices, key=lambda category: positions.get(category.pk, 0))
        self.fields["parent"].queryset = choices
        self.fields["parent"].choices = [("", self.fields["parent"].empty_label)] + [
            (category.pk, f"{'— ' * category.depth}{category.name}") for category in ordered
        ]


@admin.register(Category)
class CategoryAdmin(ServiceAdmin):
    form = CategoryAdminForm
    list_display = ["tree_name", "slug", "order", "posts_count", "updated_at"]
    list_display_links = ["tree_name"]
    list_editable = ["order"]
    list_per_page = 200
    search_fields = ["name", "slug", "description"]
    search_help_text = "Searches names, slugs and descriptions."
    readonly_fields = ["path_shown", "depth", "created_at", "updated_at"]
    service_fields = ("name", "slug", "parent", "order", "description")

    class Media:
        css = {"all": ["taxonomy/admin/taxonomy.css"]}

    def get_fieldsets(self, request: HttpRequest, obj: Category | None = None) -> list[tuple[str | None, dict]]:
        fieldsets = [(None, {"fields": ["name", "slug", "parent", "order", "description"]})]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["path_shown", "depth", "created_at", "updated_at"]}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return selectors.categories_for(request.user)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TreeChangeList

    def get_urls(self) -> list:
        picker = TermPickerView.as_view(admin_site=self.admin_site, model_admin=self)
        return [
            path("picker/", self.admin_site.admin_view(picker), name="taxonomy_category_picker"),
            *super().get_urls(),
        ]

    @admin.display(description="Name", ordering="tree_position")
    def tree_name(self, obj: Category) -> str:
        depth = min(obj.depth, 10)
        return format_html('<span class="category-name category-name--depth-{}">{}</span>', depth, obj.name)

    @admin.display(description="Place in the tree")
    def path_shown(self, obj: Category) -> str:
        return category_labels([obj])[obj.pk]

    def service_save(self, user, pk: int | None, data: dict[str, Any]) -> Category:
        if pk is None:
            return services.category_create(user=user, data=data)
        return services.category_update(category_id=pk, user=user, data=data)

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.category_delete(category_id=obj.pk, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        with transaction.atomic():
            for pk in queryset.values_list("pk", flat=True):
                services.category_delete(category_id=pk, user=request.user)


# ---------------------------------------------------------------------------- tags


class TagAdminForm(ServiceForm):
    slug = slug_field()

    class Meta:
        model = Tag
        fields = ["name", "slug", "description"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        taken = services.tag_named(name, exclude_pk=self.instance.pk)
        if taken is not None:
            raise ValidationError(services.name_taken_message(taken))
        return name


@admin.register(Tag)
class TagAdmin(ServiceAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "posts_count", "updated_at"]
    search_fields = ["name", "slug", "description"]
    search_help_text = "Searches names, slugs and descriptions."
    readonly_fields = ["created_at", "updated_at"]
    service_fields = ("name", "slug", "description")

    def get_fieldsets(self, request: HttpRequest, obj: Tag | None = None) -> list[tuple[str | None, dict]]:
        fieldsets = [(None, {"fields": ["name", "slug", "description"]})]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["created_at", "updated_at"]}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return selectors.tags_for(request.user)

    def get_urls(self) -> list:
        picker = TermPickerView.as_view(admin_site=self.admin_site, model_admin=self)
        return [path("picker/", self.admin_site.admin_view(picker), name="taxonomy_tag_picker"), *super().get_urls()]

    def service_save(self, user, pk: int | None, data: dict[str, Any]) -> Tag:
        if pk is None:
            return services.tag_create(user=user, data=data)
        return services.tag_update(tag_id=pk, user=user, data=data)

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        services.tag_delete(tag_id=obj.pk, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        with transaction.atomic():
            for pk in queryset.values_list("pk", flat=True):
                services.tag_delete(tag_id=pk, user=request.user)


# ---------------------------------------------------------------------------- the post form's pickers


class TermPickerView(AutocompleteJsonView):
    """The pickers' search (select2's JSON): Django's autocomplete on the category or tag admin (its search
    fields, paging and view permission). Django's own view needs a forward relation to the picked model, and a
    post has only the reverse ones. Categories are named with their ancestors."""

    model_admin: ServiceAdmin | None = None

    def process_request(self, request: HttpRequest):
        return request.GET.get("term", ""), self.model_admin, None, "pk"

    def get_queryset(self) -> QuerySet:
        queryset = self.model_admin.model.objects.all()
        queryset, distinct = self.model_admin.get_search_results(self.request, queryset, self.term)
        return queryset.distinct() if distinct else queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        objects = list(context["object_list"])
        self.labels = category_labels(objects) if self.model_admin.model is Category else {}
        context["object_list"] = objects
        return context

    def serialize_result(self, obj, to_field_name: str) -> dict[str, str]:
        return {"id": str(obj.pk), "text": self.labels.get(obj.pk, str(obj))}


class TermPicker(AutocompleteSelectMultiple):
    """Django's autocomplete widget (select2) on ``TermPickerView``."""

    def __init__(self, relation: str, model_name: str, admin_site: admin.AdminSite) -> None:
        # select2 reads its options from data- attributes: as wide as a long category path needs.
        super().__init__(Post._meta.get_field(relation), admin_site, attrs={"data-width": "min(100%, 36rem)"})
        self.model_name = model_name

    def get_url(self) -> str:
        return reverse(f"{self.admin_site.name}:taxonomy_{self.model_name}_picker")


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return category_labels([category])[category.pk]


NEW_TAGS_HELP = "Names of tags that do not exist yet, comma-separated: they are created when the post is saved."
# The form's fields, by relation: not the relations' own names, which the admin would read as model fields.
TERM_FIELDS = {"categories": "post_categories", "tags": "post_tags"}


def post_terms_form(base: type[forms.ModelForm], admin_site: admin.AdminSite) -> type[forms.ModelForm]:
    """``base`` (the post form) with ``post_categories``, ``post_tags`` and ``new_tags``, which ``service_data()``
    leaves out (``post_terms()`` has them)."""

    class PostTermsForm(base):
        post_categories = CategoryChoiceField(
            label="Categories",
            queryset=Category.objects.all(),
            required=False,
            widget=TermPicker("categories", CATEGORY, admin_site),
            help_text="Type to search. A post in a subcategory is listed under its parents too (?category=).",
        )
        post_tags = forms.ModelMultipleChoiceField(
            label="Tags", queryset=Tag.objects.all(), required=False, widget=TermPicker("tags", TAG, admin_site)
        )
        new_tags = forms.CharField(
            required=False,
            max_length=1000,
            help_text=NEW_TAGS_HELP,
            widget=forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"}),  # the admin's own width
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if not self.instance._state.adding:
                for relation, name in TERM_FIELDS.items():
                    self.fields[name].initial = list(getattr(self.instance, relation).all())

        def clean_new_tags(self) -> list[str]:
            names = [name.strip() for name in self.cleaned_data["new_tags"].split(",")]
            names = list(dict.fromkeys(name for name in names if name))
            if any(len(name) > NAME_MAX_LENGTH for name in names):
                raise ValidationError(f"A tag's name has at most {NAME_MAX_LENGTH} characters.")
            return names

        def clean(self) -> dict[str, Any]:
            cleaned_data = super().clean()
            chosen = {
                "post_categories": len(cleaned_data.get("post_categories") or []),
                "post_tags": len(cleaned_data.get("post_tags") or []) + len(cleaned_data.get("new_tags") or []),
            }
            for name, setting in (("post_categories", "MAX_CATEGORIES_PER_POST"), ("post_tags", "MAX_TAGS_PER_POST")):
                maximum = getattr(taxonomy_settings, setting)
                if chosen[name] > maximum:
                    noun = self.fields[name].label.lower()
                    self.add_error(name, f"A post has at most {maximum} {noun} (POLYCMS_TAXONOMY['{setting}']).")
            return cleaned_data

        def service_data(self) -> dict[str, Any]:
            data = super().service_data()
            for name in (*TERM_FIELDS.values(), "new_tags"):
                data.pop(name, None)
            return data

        def post_terms(self) -> services.PostTerms:
            """The categories and tags to write: those whose field changed (all of them on creation)."""
            adding, changed = self.instance._state.adding, set(self.changed_data)
            categories = tags = None
            if adding or "post_categories" in changed:
                categories = list(self.cleaned_data["post_categories"])
            new_tags = self.cleaned_data.get("new_tags") or []
            if adding or "post_tags" in changed or new_tags:
                tags = [*self.cleaned_data["post_tags"], *(services.NewTag(name) for name in new_tags)]
            return services.PostTerms(categories=categories, tags=tags)

    return PostTermsForm


class PostTermsAdminMixin:
    """For ``PostAdmin``: the post form's category and tag pickers (``get_form``), their fieldset
    (``terms_fieldset``) and their writing with the post, in its transaction (``writing_terms`` around the
    services' call). Whoever may not attach them sees them disabled; ``new_tags`` is only for whoever may create
    tags while writing. A post shown read-only lists them (``post_categories``, ``post_tags``)."""

    def terms_fieldset(self, request: HttpRequest, obj: Post | None) -> tuple[str, dict]:
        fields = list(TERM_FIELDS.values())
        may_write = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        if may_write and policies.can_create_tags_inline(request.user):
            fields.append("new_tags")
        return ("Categories and tags", {"fields": fields})

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs: Any):
        kwargs["form"] = post_terms_form(self.form, self.admin_site)
        form = super().get_form(request, obj, change=change, **kwargs)
        for relation, model in (("categories", CATEGORY), ("tags", TAG)):
            field = form.base_fields.get(TERM_FIELDS[relation])
            if field is not None and not policies.can_assign(request.user, model):
                field.disabled = True
        return form

    def writing_terms(self, request: HttpRequest, form, change: bool):
        """Around the services' call that saves the post: the categories and tags of ``form`` are written with it."""
        post_id = form.instance.pk if change else None
        return services.writing_post_terms(user=request.user, terms=form.post_terms(), post_id=post_id)

    @admin.display(description="Categories")
    def post_categories(self, obj: Post) -> str:
        return ", ".join(category_labels(obj.categories.all()).values()) or "—"

    @admin.display(description="Tags")
    def post_tags(self, obj: Post) -> str:
        return ", ".join(tag.name for tag in obj.tags.all()) or "—"
