"""The ERMS reader: private parties fail closed, public titles, case parties on documents."""

from __future__ import annotations

from lxml import etree

from insyn.vocab.masking import public_record
from insyn.vocab.parties import CASE_PARTY_ROLE
from insyn.vocab.profiles.erms_read import ERMS_NS, Context, reader

CASE = f"""
<aggregation xmlns="{ERMS_NS}" systemIdentifier="a-9" aggregationType="caseFile">
  <objectId>SN 2024/9</objectId>
  <title>Ansökan om bostadsanpassningsbidrag – Anna-Karin Kyrklund, Storgatan 8 B</title>
  <otherTitle titleType="publicTitle">Ansökan om bostadsanpassningsbidrag</otherTitle>
  <otherTitle titleType="alternative">Bidrag till Kyrklund</otherTitle>
  <agents>
    <agent agentType="responsible_person"><name>Karin Lind</name></agent>
    <agent agentType="counterpart"><name>Anna-Karin Kyrklund</name></agent>
    <agent agentType="owner"><name>Lars Bankman</name></agent>
    <agent agentType="other" otherAgentType="sökande"><name>Eva Centrumsson</name></agent>
    <agent agentType="sender">
      <name>Olle Berg</name><organisation>Privatperson</organisation>
    </agent>
    <agent agentType="counterpart">
      <name>Byggbolaget i Exempelby</name>
      <idNumber idNumberType="organisationsnummer">556036-0793</idNumber>
    </agent>
    <agent agentType="other" otherAgentType="organisation"><name>Föreningen Ljuset</name></agent>
  </agents>
  <record systemIdentifier="r-9-1">
    <objectId>SN 2024/9-1</objectId>
    <title>Intyg för Anna Karin Kyrklund</title>
    <runningNumber>1</runningNumber>
  </record>
</aggregation>
"""


def test_parties_fail_closed_and_documents_carry_the_cases_private_parties() -> None:
    element = etree.fromstring(CASE)
    read = reader()
    context = Context(diarium="urn:test", publisher=None, owner=None)
    case = read.case(element, context).record
    private = {p.name: p.is_private_individual for p in case.parties}
    assert private == {
        "Karin Lind": False,  # an official
        "Anna-Karin Kyrklund": True,
        "Lars Bankman": True,  # role "owner" is no evidence
        "Eva Centrumsson": True,  # role "sökande" neither
        "Olle Berg": True,  # nor <organisation>Privatperson</organisation>
        "Byggbolaget i Exempelby": False,  # a valid organisationsnummer
        "Föreningen Ljuset": False,  # an agent type meaning organisation
    }
    assert case.public_title == {"sv": "Ansökan om bostadsanpassningsbidrag"}
    assert "titel_publicTitle" not in case.extras
    assert case.extras["titel_alternative"] == ["Bidrag till Kyrklund"]
    record = element.find(f"{{{ERMS_NS}}}record")
    document = read.document(record, case, context).record
    added = [p for p in document.parties if p.role == CASE_PARTY_ROLE]
    assert {p.name for p in added} == {
        "Anna-Karin Kyrklund",
        "Lars Bankman",
        "Eva Centrumsson",
        "Olle Berg",
    }
    assert all(p.is_private_individual and p.identifier is None for p in added)
    shown_case = public_record(case)
    shown_document = public_record(document)
    assert shown_case is not None and shown_document is not None
    assert shown_case.title == {"sv": "Ansökan om bostadsanpassningsbidrag"}
    assert shown_case.extras["titel_alternative"] == ["Bidrag till [namn]"]
    assert shown_document.title == {"sv": "Intyg för [namn]"}


def test_an_organisation_without_number_or_type_stays_private_and_a_persons_type_wins() -> None:
    case = f"""
<aggregation xmlns="{ERMS_NS}" systemIdentifier="a-10" aggregationType="caseFile">
  <objectId>BN 2024/10</objectId>
  <title>Bygglov</title>
  <agents>
    <agent agentType="counterpart">
      <name>Ljuset Bygg och Montage</name><organisation>Ljuset Bygg och Montage</organisation>
    </agent>
    <agent agentType="other" otherAgentType="Privatperson">
      <name>Kim Bankman</name>
      <idNumber idNumberType="organisationsnummer">802400-0005</idNumber>
    </agent>
    <agent agentType="other" otherAgentType="Företag"><name>Solgläntan</name></agent>
  </agents>
</aggregation>
"""
    context = Context(diarium="urn:test", publisher=None, owner=None)
    parsed = reader().case(etree.fromstring(case), context).record
    assert {p.name: p.is_private_individual for p in parsed.parties} == {
        "Ljuset Bygg och Montage": True,  # calls itself a firm, proves nothing: fails closed
        "Kim Bankman": True,  # the source's own type says a person, whatever the number
        "Solgläntan": False,  # a known organisation type from the source
    }
