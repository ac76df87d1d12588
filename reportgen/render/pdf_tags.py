"""Tagged PDF on ReportLab: marked content in the page streams and the structure tree (docs/pdf.md).

Content side: every page is one ``/Artifact`` marked-content sequence, interrupted where a structure
element's content is drawn (``EMC /P <</MCID 3>> BDC`` … ``EMC /Artifact BMC``). So whatever is not
deliberately tagged (table backgrounds, rules, the running footer) is an artifact, and nothing is
ever drawn outside marked content. The operators are written with the canvas's public
``addLiteral``, always between text objects (never inside ``BT`` … ``ET``).

Structure side: :class:`Elem` records the tree in reading order while the story is built; the
flowables add their marked-content ids (and link annotations) to their element when they are drawn,
so a paragraph split over two pages is one element with content on both. :meth:`Tree.write` turns it
into ``/StructTreeRoot``, ``/ParentTree`` and ``/MarkInfo`` when the document is saved.
"""

from __future__ import annotations

from typing import Any, Callable, Union

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFString

#: A kid of an element: another element, a marked-content id (page, mcid), or a link annotation
#: (page, index among the page's annotations, "annot").
Kid = Union["Elem", tuple[int, int], tuple[int, int, str]]

_ARTIFACT = "/Artifact BMC"
_FOOTER = "/Artifact <</Type /Pagination /Subtype /Footer>> BDC"


class Elem:
    """A structure element: a standard role (``P``, ``H1``, ``LI``…), its kids in reading order,
    and the optional ``/Lang``, ``/Alt`` and attributes (``/A``)."""

    __slots__ = ("tree", "role", "parent", "kids", "lang", "alt", "attrs")

    def __init__(self, tree: Tree, role: str, parent: Elem | None = None, lang: str | None = None,
                 alt: str | None = None, attrs: dict[str, str] | None = None):
        self.tree, self.role, self.parent, self.lang, self.alt, self.attrs = tree, role, parent, lang, alt, attrs
        self.kids: list[Kid] = []
        if parent is not None:
            parent.kids.append(self)

    def add(self, role: str, lang: str | None = None, alt: str | None = None,
            attrs: dict[str, str] | None = None) -> Elem:
        return Elem(self.tree, role, self, lang, alt, attrs)


class Tree:
    """The structure tree of one document and the marked content of its pages."""

    def __init__(self) -> None:
        self.root = Elem(self, "Document")
        self.owners: dict[int, list[Elem]] = {}  # page number -> the element of each MCID
        self.links: list[tuple[Elem, int]] = []  # (Link element, page number) of each annotation, in order
        self._annots: dict[int, int] = {}  # page number -> link annotations drawn on it

    # -- content stream side (the canvas's public addLiteral)

    def open_page(self, canvas: Any) -> None:
        canvas.addLiteral(_ARTIFACT)

    def begin(self, canvas: Any, elem: Elem) -> None:
        """Close the page's artifact and start ``elem``'s next piece of content."""
        page = canvas.getPageNumber()
        owners = self.owners.setdefault(page, [])
        mcid = len(owners)
        owners.append(elem)
        elem.kids.append((page, mcid))
        canvas.addLiteral(f"EMC /{elem.role} <</MCID {mcid}>> BDC")

    def end(self, canvas: Any) -> None:
        canvas.addLiteral("EMC " + _ARTIFACT)

    def footer(self, canvas: Any, draw: Callable[[], None]) -> None:
        """Draw the running footer as a pagination artifact and close the page's marked content."""
        canvas.addLiteral("EMC " + _FOOTER)
        draw()
        canvas.addLiteral("EMC")

    def link(self, canvas: Any, elem: Elem, url: str, rect: tuple[float, float, float, float]) -> None:
        """A ``/Link`` annotation over ``rect`` (current user space) for ``elem`` (a ``Link``)."""
        page = canvas.getPageNumber()
        index = self._annots.get(page, 0)
        self._annots[page] = index + 1
        canvas.linkURL(url, rect, relative=1, thickness=0, StructParent=len(self.links),
                       Contents=PDFString(url), F=4)
        self.links.append((elem, page))
        elem.kids.append((page, index, "annot"))

    def has_links(self, page: int) -> bool:
        return page in self._annots

    def page_entries(self, page: int) -> dict[str, Any]:
        """The page dictionary entries of page ``page`` (1-based): its key in the parent tree, and
        the tab order of its annotations."""
        entries: dict[str, Any] = {"StructParents": len(self.links) + page - 1}
        if page in self._annots:
            entries["Tabs"] = PDFName("S")
        return entries

    # -- document side

    def write(self, reference: Callable[[Any], Any], set_catalog_entry: Callable[[str, Any], None],
              page_refs: list[Any], annot_refs: dict[int, list[Any]]) -> None:
        """Write the tree: ``reference`` makes an object indirect (``PDFDocument.Reference``),
        ``set_catalog_entry`` is the canvas's; ``page_refs[n - 1]`` is page n, ``annot_refs[n]`` the
        annotations of page n."""
        root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        refs = _RefBytes()
        objects: dict[int, _StructElem] = {}
        todo = [(self.root, reference(root))]
        for elem, parent_ref in todo:  # every element an indirect object first: they refer to each other
            obj = objects[id(elem)] = _StructElem(elem, parent_ref, refs)
            obj.ref = ref = reference(obj)
            todo += [(kid, ref) for kid in elem.kids if isinstance(kid, Elem)]
        for obj in objects.values():
            obj.resolve(objects, page_refs, annot_refs)
        nums: list[Any] = []
        for i, (elem, _) in enumerate(self.links):
            nums += [i, objects[id(elem)].ref]
        first = len(self.links)
        for page in range(1, len(page_refs) + 1):
            owners = self.owners.get(page, [])
            nums += [first + page - 1, reference(_Refs([objects[id(e)].ref for e in owners], refs))]
        root["K"] = PDFArray([objects[id(self.root)].ref])
        root["ParentTree"] = reference(PDFDictionary({"Nums": _Refs(nums, refs)}))
        root["ParentTreeNextKey"] = first + len(page_refs)
        set_catalog_entry("StructTreeRoot", root)
        set_catalog_entry("MarkInfo", {"Marked": "true"})


class _RefBytes(dict):
    """Object references as PDF (``PDFObjectReference.format``), each formatted once: an element's
    reference is written by its parent, its kids and the parent tree."""

    def of(self, item: Any, document: Any) -> bytes:
        if not isinstance(item, PDFObject):
            return b"%d" % item
        out = self.get(item.name)
        if out is None:
            out = self[item.name] = item.format(document)
        return out


class _Refs(PDFObject):
    """An array of references and numbers, written directly (``PDFArray`` formats each item through
    ReportLab's general ``format``; a long report has tens of thousands)."""

    def __init__(self, items: list[Any], refs: _RefBytes):
        self.items, self.refs = items, refs

    def format(self, document: Any) -> bytes:
        of = self.refs.of
        return b"[" + b" ".join([of(item, document) for item in self.items]) + b"]"


class _StructElem(PDFObject):
    """A structure element dictionary, written directly (a report of 500 pages has 10,000)."""

    def __init__(self, elem: Elem, parent_ref: Any, refs: _RefBytes):
        self.elem, self.parent_ref, self.refs = elem, parent_ref, refs
        self.ref: Any = None
        self.kids: list[Any] = []
        self.page_ref: Any = None

    def resolve(self, objects: dict[int, _StructElem], page_refs: list[Any], annot_refs: dict[int, list[Any]]) -> None:
        """Kids as references (elements), MCIDs, ``/MCR`` (content on another page than the
        element's ``/Pg``) and ``/OBJR`` (link annotations) dictionaries."""
        first_page = None
        for kid in self.elem.kids:
            if isinstance(kid, Elem):
                self.kids.append(objects[id(kid)].ref)
                continue
            if first_page is None:
                first_page = kid[0]
                self.page_ref = page_refs[first_page - 1]
            if len(kid) == 3:
                self.kids.append(("OBJR", annot_refs[kid[0]][kid[1]], page_refs[kid[0] - 1]))
            elif kid[0] == first_page:
                self.kids.append(kid[1])
            else:
                self.kids.append(("MCR", kid[1], page_refs[kid[0] - 1]))

    def format(self, document: Any) -> bytes:
        elem, of, kids = self.elem, self.refs.of, self.kids
        if len(kids) == 1 and kids[0].__class__ is int and not (elem.lang or elem.attrs or elem.alt is not None):
            # most elements: one piece of content on one page
            return b"<< /S /%s /P %s /Pg %s /K %d >>" % (elem.role.encode("ascii"), of(self.parent_ref, document),
                                                          of(self.page_ref, document), kids[0])
        out = [b"<< /S /", elem.role.encode("ascii"), b" /P ", of(self.parent_ref, document)]
        if self.page_ref is not None:
            out += [b" /Pg ", of(self.page_ref, document)]
        out.append(b" /K [")
        for kid in self.kids:
            if kid.__class__ is tuple:
                kind, value, page = kid
                if kind == "MCR":
                    out += [b"<< /Type /MCR /Pg ", of(page, document), b" /MCID %d >> " % value]
                else:
                    out += [b"<< /Type /OBJR /Obj ", of(value, document), b" /Pg ", of(page, document), b" >> "]
            else:
                out += [of(kid, document), b" "]
        out.append(b"]")
        if elem.lang:
            out += [b" /Lang ", PDFString(elem.lang).format(document)]
        if elem.alt is not None:
            out += [b" /Alt ", PDFString(elem.alt).format(document)]
        if elem.attrs:
            out += [b" /A <<", *(b" /%s /%s" % (k.encode("ascii"), v.encode("ascii")) for k, v in elem.attrs.items()),
                    b" >>"]
        out.append(b" >>")
        return b"".join(out)
