"""The data model: import every model so that metadata and Alembic see them."""
from .accounts import ApiToken, Role, User
from .audit import AuditEntry
from .codes import CodeStatus, HouseholdCode
from .meetings import DeclaredMeeting
from .paper import KeyedEntry, KeyingBatch, Resolution
from .publication import Publication
from .responses import Answer, AnswerValue, Channel, Response, ResponseVersion
from .scans import ScanFile, ScanPage, ScanStatus, ScanUpload
from .surveys import FrameVillage, Survey, SurveyStatus
from .units import Commune, Province, Village
from .versions import DataVersion

__all__ = [
    "Answer", "AnswerValue", "ApiToken", "AuditEntry", "Channel", "CodeStatus", "Commune", "DataVersion",
    "DeclaredMeeting",
    "FrameVillage", "HouseholdCode", "KeyedEntry", "KeyingBatch", "Province", "Publication", "Resolution",
    "Response", "ResponseVersion", "Role", "ScanFile", "ScanPage", "ScanStatus", "ScanUpload", "Survey",
    "SurveyStatus", "User", "Village",
]
