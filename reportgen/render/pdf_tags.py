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

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString

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
        root_ref = reference(root)
        refs: dict[int, Any] = {}
        self._write(self.root, root_ref, reference, refs, page_refs, annot_refs)
        nums: list[Any] = []
        for elem, _ in self.links:
            nums += [len(nums) // 2, refs[id(elem)]]
        first = len(self.links)
        for page in range(1, len(page_refs) + 1):
            owners = self.owners.get(page, [])
            nums += [first + page - 1, reference(PDFArray([refs[id(e)] for e in owners]))]
        root["K"] = PDFArray([refs[id(self.root)]])
        root["ParentTree"] = reference(PDFDictionary({"Nums": PDFArray(nums)}))
        root["ParentTreeNextKey"] = first + len(page_refs)
        set_catalog_entry("StructTreeRoot", root)
        set_catalog_entry("MarkInfo", {"Marked": "true"})

    def _write(self, elem: Elem, parent_ref: Any, reference: Callable[[Any], Any], refs: dict[int, Any],
               page_refs: list[Any], annot_refs: dict[int, list[Any]]) -> None:
        d = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(elem.role), "P": parent_ref})
        ref = refs[id(elem)] = reference(d)
        first_page = next((k[0] for k in elem.kids if isinstance(k, tuple)), None)
        if first_page is not None:
            d["Pg"] = page_refs[first_page - 1]
        kids: list[Any] = []
        for kid in elem.kids:
            if isinstance(kid, Elem):
                self._write(kid, ref, reference, refs, page_refs, annot_refs)
                kids.append(refs[id(kid)])
            elif len(kid) == 3:
                page, index, _ = kid
                kids.append(PDFDictionary({"Type": PDFName("OBJR"), "Obj": annot_refs[page][index],
                                           "Pg": page_refs[page - 1]}))
            elif kid[0] == first_page:
                kids.append(kid[1])
            else:
                kids.append(PDFDictionary({"Type": PDFName("MCR"), "Pg": page_refs[kid[0] - 1], "MCID": kid[1]}))
        d["K"] = PDFArray(kids)
        if elem.lang:
            d["Lang"] = PDFString(elem.lang)
        if elem.alt is not None:
            d["Alt"] = PDFString(elem.alt)
        if elem.attrs:
            d["A"] = PDFDictionary({k: PDFName(v) for k, v in elem.attrs.items()})
