"""WeCom callback XML: the encrypted envelope and the decrypted message, parsed without trusting either.

defusedxml parses them: a document with a DTD or an entity declaration is refused outright, in whatever
encoding it declares (WeCom never sends one; this closes billion-laughs and external-entity tricks).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 256 * 1024  # a text message is at most 2048 bytes; media messages are tiny


class BadMessage(ValueError):
    """XML that is not a WeCom callback we can read."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """The POST body: who it is for and the encrypted message."""

    to_user: str
    agent_id: str
    encrypt: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One decrypted message or event from a member of the corp."""

    msg_type: str
    user_id: str
    create_time: int
    msg_id: str | None = None
    agent_id: str | None = None
    content: str = ""
    media_id: str | None = None
    file_name: str | None = None
    event: str | None = None
    # A template card's button press (Event=template_card_event): the button key, the card and the code that
    # lets the app update that card once.
    event_key: str | None = None
    task_id: str | None = None
    response_code: str | None = None

    @property
    def dedup_key(self) -> str:
        """What identifies a retried delivery: MsgId, or for events (which have none) user + time + event (+ card)."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        card = f":{self.task_id}:{self.event_key}" if self.task_id else ""
        return f"ev:{self.user_id}:{self.create_time}:{self.event or self.msg_type}{card}"


def _root(data: bytes | str) -> Element:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_XML_BYTES:
        raise BadMessage("XML too large")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise BadMessage("DTDs and entities are not accepted") from error
    except (ParseError, ValueError) as error:
        raise BadMessage("not well-formed XML") from error
    if root is None or root.tag != "xml":
        raise BadMessage("root element is not <xml>")
    return root


def _text(root: Element, tag: str) -> str | None:
    node = root.find(tag)
    if node is None:
        return None
    return "".join(node.itertext()).strip() if tag != "Content" else "".join(node.itertext())


def parse_envelope(body: bytes) -> Envelope:
    """The ``<xml><ToUserName/><AgentID/><Encrypt/></xml>`` a callback POST carries."""
    root = _root(body)
    encrypt = _text(root, "Encrypt")
    if not encrypt:
        raise BadMessage("no Encrypt element")
    return Envelope(_text(root, "ToUserName") or "", _text(root, "AgentID") or "", encrypt)


def parse_message(xml: str) -> Inbound:
    """A decrypted message: text (Content), media and files (MediaId, FileName), or an event."""
    root = _root(xml)
    user = _text(root, "FromUserName")
    msg_type = (_text(root, "MsgType") or "").lower()
    if not user or not msg_type:
        raise BadMessage("FromUserName and MsgType are required")
    created = _text(root, "CreateTime") or "0"
    return Inbound(
        msg_type=msg_type,
        user_id=user,
        create_time=int(created) if created.isdecimal() else 0,
        msg_id=_text(root, "MsgId") or None,
        agent_id=_text(root, "AgentID") or None,
        content=_text(root, "Content") or "",
        media_id=_text(root, "MediaId") or None,
        file_name=_text(root, "FileName") or None,
        event=(_text(root, "Event") or None),
        event_key=_text(root, "EventKey") or None,
        task_id=_text(root, "TaskId") or None,
        response_code=_text(root, "ResponseCode") or None,
    )


def envelope_xml(to_user: str, agent_id: str, encrypt: str) -> str:
    """The POST body WeCom sends for an encrypted message (used by the fake WeCom in tests)."""
    return f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName><AgentID><![CDATA[{agent_id}]]></AgentID>" \
           f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
