"""People and their detentions: one row per detention; a person with no detention has one row of empty detention cells."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from tracker import protection, withholding
from tracker.imports.columns import (
    CellError,
    ChoiceColumn,
    Column,
    CountryColumn,
    DateColumn,
    Existing,
    IntegerColumn,
    ListColumn,
    LookupColumn,
    PreciseDateColumn,
    organization_key,
    organizations_named,
    parse_list,
    parse_uid,
    plan_source_links,
    source_key,
    sources_named,
)
from tracker.imports.importer import Importer
from tracker.imports.plans import Change, RowPlan
from tracker.models import Charge, Detention, DetentionSource, IdentityLevel, NameVariant, Person, person_search_key
from tracker.names import listed_names


@dataclass
class PersonEntry:
    """A person as the sheet's first row naming them left them."""

    person: Person
    number: int
    values: dict  # column → parsed value, to check later rows against
    variants: set  # names the person has or will have


class PeopleImporter(Importer):
    """One row per detention; a person with no detention has one row with empty detention columns."""

    model = Person
    writes = (Person, Detention, NameVariant, Charge, DetentionSource)

    person_columns = [
        Column("person_external_id", "external_id"),
        Column("name"),
        IntegerColumn("birth_year"),
        ChoiceColumn("gender", Person.Gender),
        Column("region"),
        Column("occupation"),
        Column("description"),
        ChoiceColumn("identity_level", IdentityLevel),
        Column("internal_notes"),
    ]
    identity_columns = {"identity_level", "internal_notes"}
    detention_columns = [
        Column("detention_external_id", "external_id"),
        CountryColumn("country"),
        PreciseDateColumn("detained_on", "detained_on", "detained_on_precision"),
        ChoiceColumn("custody_status", Detention.CustodyStatus),
        PreciseDateColumn("released_on", "released_on", "released_on_precision"),
        ChoiceColumn("release_mode", Detention.ReleaseMode),
        Column("facility"),
        Column("sentence"),
        IntegerColumn("sentence_months"),
        DateColumn("recognised_on"),
        LookupColumn("recognised_by", "organizations", organization_key),
    ]
    name_variants = ListColumn("name_variants", lambda person: [v.name for v in person.name_variants.all()])
    charges = ListColumn("charges", lambda detention: [c.article for c in detention.charges.all()])
    sources = ListColumn("sources", lambda detention: [source_key(s) for s in detention.sources.all()])

    HEADER = [
        "person_uid",
        "person_external_id",
        "name",
        "name_variants",
        "birth_year",
        "gender",
        "region",
        "occupation",
        "description",
        "identity_level",
        "internal_notes",
        "detention_uid",
        "detention_external_id",
        "country",
        "detained_on",
        "custody_status",
        "released_on",
        "release_mode",
        "facility",
        "sentence",
        "sentence_months",
        "charges",
        "recognised_on",
        "recognised_by",
        "sources",
    ]

    # Person.save() computes the search key: prepare_writes() does it here.
    bulk_saves = Importer.bulk_saves | {Person.save}

    def __init__(self, user, filename=""):
        super().__init__(user, filename)
        self.manages_identity = user.has_perm("tracker.manage_identity")
        if not self.manages_identity:
            self.person_columns = [c for c in self.person_columns if c.name not in self.identity_columns]

    def header(self):
        if self.manages_identity:
            return list(self.HEADER)
        return [name for name in self.HEADER if name not in self.identity_columns]

    def ignored_columns(self):
        if self.manages_identity:
            return set(), ""
        return set(self.identity_columns), "Only Editors set identity levels and internal notes."

    def prepare(self, sheet, lock):
        people = Person.objects.prefetch_related("name_variants")
        detentions = Detention.objects.select_related("recognised_by").prefetch_related("charges", "sources")
        self.people = Existing(people, sheet, "person_uid", "person_external_id", lock=lock)
        self.detentions = Existing(detentions, sheet, "detention_uid", "detention_external_id", lock=lock)
        self.lookups = {
            "organizations": organizations_named(sheet, "recognised_by"),
            "sources": sources_named(sheet, "sources"),
        }
        self.entries = {}  # (key column, value) and ("pk", pk) → PersonEntry
        self.detention_cells = {
            *(column.name for column in self.detention_columns),
            "detention_uid",
            "charges",
            "sources",
        }

    def prepare_writes(self, plan):
        """The search keys of the people written, from the names they have and the variants the sheet adds.

        Person.save() would read each person's variants back: a query per
        person. NameVariantQuerySet.bulk_create() then checks every key of the
        people it adds variants to, in a few queries per 500 people.
        """
        added = {}
        for row in plan.rows:
            for child in row.children:
                if isinstance(child, NameVariant):
                    added.setdefault(id(child.person), []).append(child.name)
        for row in plan.rows:
            for person in row.writes:
                if isinstance(person, Person):
                    # Prefetched when the plan matched the person: no query.
                    existing = [] if person._state.adding else [v.name for v in person.name_variants.all()]
                    person.search_key = person_search_key(person.name, [*existing, *added.get(id(person), ())])
                    person.shown_name, person.sort_name = listed_names(person.name, person.identity_level)

    def apply(self, plan):
        """Write the plan; in the same transaction, take down the public text naming the people it protects more.

        Those whose identity level it raises, and protected people it renames
        or gives name variants (tracker/withholding.py), all in one pass over
        the public text: a sheet that protects no one more runs no query more.
        """
        people = {
            person.pk: person
            for row in plan.rows
            for person in [*row.writes, *(child.person for child in row.children if isinstance(child, NameVariant))]
            if person.__dict__.get("_takes_down_text")
        }
        self.taken_down = []
        if not people:
            return super().apply(plan)
        with transaction.atomic():
            super().apply(plan)
            self.taken_down = withholding.take_down_text_naming_all(people)

    def plan_row(self, number, row):
        row_plan = RowPlan(number)
        person = self.plan_person(row_plan, row)
        if person is not None:
            row_plan.label = person.name
        if person is not None and any(row.get(name, "") != "" for name in self.detention_cells):
            self.plan_detention(row_plan, row, person)
        return row_plan

    def plan_person(self, row_plan, row):
        try:
            uid = parse_uid(row.get("person_uid", ""))
        except CellError as error:
            row_plan.error("person_uid", error)
            return None
        external_id = str(row.get("person_external_id", ""))
        keys = [key for key in (("person_uid", uid), ("person_external_id", external_id)) if key[1]]
        # Several rows may describe one person (one row per detention).
        earlier = {id(self.entries[key]): self.entries[key] for key in keys if key in self.entries}
        if len(earlier) > 1:
            row_plan.error("person_uid", "person_uid and person_external_id name two different people of earlier rows.")
            return None
        if earlier:
            entry = next(iter(earlier.values()))
            self.plan_same_person(row_plan, row, entry)
            return entry.person

        person, is_new = self.match_person(row_plan, row, uid)
        if person is None:
            return None
        if not is_new and ("pk", person.pk) in self.entries:
            # Named by uid here and by external ID in an earlier row, or the reverse.
            entry = self.entries["pk", person.pk]
            self.plan_same_person(row_plan, row, entry)
            return person
        # Read with the whole sheet (prepare()): the protection checks need no query per row.
        stored_level, stored_name = (None, "") if is_new else (person.identity_level, person.name)
        changes = self.fill(row_plan, person, self.person_columns, row, is_new)
        # Raised protection, or a new name of a protected person: the public text naming them is taken down (apply()).
        if withholding.raised(stored_level, person.identity_level) or withholding.renamed_while_protected(
            stored_level, person.identity_level, person.name != stored_name
        ):
            person._takes_down_text = True
        if protection.lowering_problem(person, stored=stored_level):
            row_plan.error(
                "identity_level",
                "an import cannot show more of a person than their current identity level allows; "
                "an Editor changes that on the person's page, with a reason.",
            )
        values = {}
        for column in self.person_columns:
            if column.name in row and column.name not in row_plan.bad_columns:
                values[column.name] = column.parse(row[column.name], self)
        names = {person.name} | ({v.name for v in person.name_variants.all()} if not is_new else set())
        entry = PersonEntry(person, row_plan.number, values, names)
        for key in keys:
            self.entries[key] = entry
        if not is_new:
            self.entries["pk", person.pk] = entry
        if is_new and not person.name and "name" not in row_plan.bad_columns:
            row_plan.error("name", "required for a new person.")
        variants = self.plan_variants(row_plan, row, entry)
        if not is_new and (changes or variants) and not self.may_change(person):
            self.refuse_locked(row_plan, person, "person_uid")
        row_plan.created = is_new
        row_plan.changes += changes
        if is_new or changes:
            # Person.clean() checks the protection again, against the same stored level.
            with protection.stored_level_known(person, stored_level):
                self.validate(row_plan, person, self.person_columns, existing=self.people)
            row_plan.writes.append(person)
        return person

    def match_person(self, row_plan, row, uid):
        if uid:
            person = self.people.by_uid.get(uid)
            if person is None:
                row_plan.error("person_uid", f"no person has the stable ID {uid}.")
            return person, False
        external_id = str(row.get("person_external_id", ""))
        person = self.people.by_external_id.get(external_id) if external_id else None
        return (person, False) if person is not None else (Person(), True)

    def plan_same_person(self, row_plan, row, entry):
        """A later row of a person: its person cells are empty or say what the first row said."""
        for column in self.person_columns:
            if row.get(column.name, "") == "":
                continue
            try:
                value = column.parse(row[column.name], self)
            except CellError as error:
                row_plan.error(column.name, error)
                continue
            if value != entry.values.get(column.name):
                row_plan.error(column.name, f"differs from row {entry.number}, which describes the same person.")
        variants = self.plan_variants(row_plan, row, entry)
        if variants and not entry.person._state.adding and not self.may_change(entry.person):
            self.refuse_locked(row_plan, entry.person, "name_variants")

    def plan_variants(self, row_plan, row, entry):
        """Name variants the person lacks: added, never deleted. Returns how many."""
        added = 0
        for name in parse_list(row.get("name_variants", "")):
            if name in entry.variants:
                continue
            entry.variants.add(name)
            variant = NameVariant(person=entry.person, name=name)
            # As NameVariant.save() does, which the bulk write does not call:
            # the letters tell the script; mixed ones leave the default.
            variant.script = NameVariant.detect_script(name) or variant.script
            # The transliteration system is the editor's call; a Cyrillic
            # spelling is at least the original script.
            is_cyrillic = variant.script == NameVariant.Script.CYRILLIC
            variant.system = NameVariant.System.NATIVE if is_cyrillic else NameVariant.System.OTHER
            self.validate(row_plan, variant, [Column("name_variants", "name")], exclude=["person"])
            row_plan.changes.append(Change("name_variants", None, f"+ {name}"))
            row_plan.children.append(variant)
            added += 1
        person = entry.person
        if added and not person._state.adding:
            if withholding.renamed_while_protected(person.identity_level, person.identity_level, True):
                person._takes_down_text = True
        return added

    def plan_detention(self, row_plan, row, person):
        detention, is_new = self.match(
            row_plan, row, self.detentions, Detention, "detention_uid", "detention_external_id"
        )
        if detention is None:
            return
        if is_new:
            detention.person = person
        elif detention.person_id != person.pk:
            row_plan.error("detention_uid", "this detention belongs to another person.")
            return
        changes = self.fill(row_plan, detention, self.detention_columns, row, is_new)
        existing_articles = set() if is_new else {charge.article for charge in detention.charges.all()}
        for article in parse_list(row.get("charges", "")):
            if article not in existing_articles:
                existing_articles.add(article)
                charge = Charge(detention=detention, article=article)
                self.validate(row_plan, charge, [Column("charges", "article")], exclude=["detention"])
                changes.append(Change("charges", None, f"+ {article}"))
                row_plan.children.append(charge)
        cited = set() if is_new else {source.pk for source in detention.sources.all()}
        plan_source_links(
            self, row_plan, row, cited, changes, lambda source: DetentionSource(detention=detention, source=source)
        )
        if not is_new and changes and not self.may_change(detention):
            self.refuse_locked(row_plan, detention, "detention_uid")
        row_plan.created = row_plan.created or is_new
        row_plan.changes += changes
        if is_new or any(change.column in {c.name for c in self.detention_columns} for change in changes):
            self.validate(row_plan, detention, self.detention_columns, ["person", "recognised_by"], self.detentions)
            row_plan.writes.append(detention)

    def export_rows(self, queryset):
        people = queryset.order_by("name", "pk").prefetch_related(
            "name_variants",
            Prefetch(
                "detentions",
                queryset=Detention.objects.order_by("detained_on", "pk")
                .select_related("recognised_by")
                .prefetch_related("charges", "sources"),
            ),
        )
        header = self.header()
        for person in people:
            person_cells = {"person_uid": person.uid, "name_variants": self.name_variants.export(person)}
            person_cells.update((column.name, column.export(person)) for column in self.person_columns)
            for detention in person.detentions.all() or [None]:
                cells = dict(person_cells)
                if detention is not None:
                    cells["detention_uid"] = detention.uid
                    cells.update((column.name, column.export(detention)) for column in self.detention_columns)
                    cells["charges"] = self.charges.export(detention)
                    cells["sources"] = self.sources.export(detention)
                yield [cells.get(name, "") for name in header]
