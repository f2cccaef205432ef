/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vim25 subset vmsnapcheck speaks, as a gSOAP interface header.
 * soapcpp2 -c turns it into C at build time (CMakeLists.txt); generated
 * files live only in the build directory.
 *
 * Polymorphic values are never typed here.  gSOAP aborts a whole response
 * on an xsi:type it does not know, and vCenter sends new device, backing
 * and fault types with every release.  So DynamicProperty.val, the
 * missingSet fault and SOAP fault details are captured as literal XML
 * (`_XML __any`, which keeps the element with its attributes) and read
 * with libxml2 in values.c.  Requests that need xsi:type (the
 * TraversalSpec in ObjectSpec.selectSet) are written as literal XML too.
 * Replies to RetrievePropertiesEx / ContinueRetrievePropertiesEx are not
 * read by gSOAP at all unless they are faults: stream.c hands them to
 * libxml2 while they arrive.
 *
 * Adding an operation: declare its request/response element structs
 * (_vim__Op, _vim__OpResponse) and the __vim__Op function below; the
 * SOAPAction is passed at call time (urn:vim25/<apiVersion>).
 */

//gsoap vim schema namespace: urn:vim25
//gsoap vim schema elementForm: qualified
//gsoap vim schema attributeForm: unqualified
//gsoap vim service name: vim25
//gsoap vim service style: document
//gsoap vim service encoding: literal

enum xsd__boolean { false_, true_ };

/* Text content plus an unqualified `type` attribute. */
struct vim__ManagedObjectReference {
	char *__item;
	@char *type;
};

/* ---- service content ------------------------------------------------- */

struct vim__AboutInfo {
	char *name 0;
	char *fullName 0;
	char *vendor 0;
	char *version 0;
	char *build 0;
	char *osType 0;
	char *productLineId 0;
	char *apiType 0;
	char *apiVersion 0;
	char *instanceUuid 0;
};

struct vim__ServiceContent {
	struct vim__ManagedObjectReference *rootFolder 0;
	struct vim__ManagedObjectReference *propertyCollector 0;
	struct vim__ManagedObjectReference *viewManager 0;
	struct vim__AboutInfo *about 0;
	struct vim__ManagedObjectReference *sessionManager 0;
	struct vim__ManagedObjectReference *searchIndex 0;
	struct vim__ManagedObjectReference *authorizationManager 0;
	struct vim__ManagedObjectReference *taskManager 0;
	struct vim__ManagedObjectReference *eventManager 0;
	struct vim__ManagedObjectReference *customFieldsManager 0;
	struct vim__ManagedObjectReference *guestOperationsManager 0;
};

struct _vim__RetrieveServiceContent {
	struct vim__ManagedObjectReference *_USCOREthis 1;
};
struct _vim__RetrieveServiceContentResponse {
	struct vim__ServiceContent *returnval 0;
};

/* ---- sessions -------------------------------------------------------- */

struct vim__UserSession {
	char *key 0;
	char *userName 0;
	char *fullName 0;
};

struct _vim__Login {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	char *userName 1;
	char *password 1;
	char *locale 0;
};
struct _vim__LoginResponse {
	struct vim__UserSession *returnval 0;
};

struct _vim__Logout {
	struct vim__ManagedObjectReference *_USCOREthis 1;
};
struct _vim__LogoutResponse {
	char *__dummy 0;
};

struct _vim__CurrentTime {
	struct vim__ManagedObjectReference *_USCOREthis 1;
};
struct _vim__CurrentTimeResponse {
	char *returnval 0;             /* xsd:dateTime, parsed by us */
};

/* ---- inventory ------------------------------------------------------- */

struct _vim__CreateContainerView {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	struct vim__ManagedObjectReference *container 1;
	$int __sizetype 0;
	char **type 0;
	enum xsd__boolean recursive 1;
};
struct _vim__CreateContainerViewResponse {
	struct vim__ManagedObjectReference *returnval 0;
};

struct _vim__DestroyView {
	struct vim__ManagedObjectReference *_USCOREthis 1;
};
struct _vim__DestroyViewResponse {
	char *__dummy 0;
};

struct _vim__FindByInventoryPath {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	char *inventoryPath 1;
};
struct _vim__FindByInventoryPathResponse {
	struct vim__ManagedObjectReference *returnval 0;
};

/* ---- property collector ---------------------------------------------- */

struct vim__PropertySpec {
	char *type 1;
	enum xsd__boolean *all 0;
	$int __sizepathSet 0;
	char **pathSet 0;
};

struct vim__ObjectSpec {
	struct vim__ManagedObjectReference *obj 1;
	enum xsd__boolean *skip 0;
	_XML __any;                    /* literal <selectSet xsi:type="TraversalSpec"> */
};

struct vim__PropertyFilterSpec {
	$int __sizepropSet 1;
	struct vim__PropertySpec *propSet 1;
	$int __sizeobjectSet 1;
	struct vim__ObjectSpec *objectSet 1;
};

struct vim__RetrieveOptions {
	int *maxObjects 0;
};

struct vim__DynamicProperty {
	char *name 1;
	_XML __any;                    /* the whole <val xsi:type=...> element */
};

struct vim__MissingProperty {
	char *path 1;
	_XML __any;                    /* <fault> with a polymorphic <fault> inside */
};

struct vim__ObjectContent {
	struct vim__ManagedObjectReference *obj 1;
	$int __sizepropSet 0;
	struct vim__DynamicProperty *propSet 0;
	$int __sizemissingSet 0;
	struct vim__MissingProperty *missingSet 0;
};

struct vim__RetrieveResult {
	char *token 0;
	$int __sizeobjects 0;
	struct vim__ObjectContent *objects 0;
};

struct _vim__RetrievePropertiesEx {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	$int __sizespecSet 1;
	struct vim__PropertyFilterSpec *specSet 1;
	struct vim__RetrieveOptions *options 1;
};
struct _vim__RetrievePropertiesExResponse {
	struct vim__RetrieveResult *returnval 0;
};

struct _vim__ContinueRetrievePropertiesEx {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	char *token 1;
};
struct _vim__ContinueRetrievePropertiesExResponse {
	struct vim__RetrieveResult *returnval 0;
};

struct _vim__CancelRetrievePropertiesEx {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	char *token 1;
};
struct _vim__CancelRetrievePropertiesExResponse {
	char *__dummy 0;
};

/* ---- privileges (doctor) --------------------------------------------- */

struct vim__PrivilegeAvailability {
	char *privId 1;
	enum xsd__boolean isGranted 1;
};

struct vim__EntityPrivilege {
	struct vim__ManagedObjectReference *entity 1;
	$int __sizeprivAvailability 0;
	struct vim__PrivilegeAvailability *privAvailability 0;
};

struct _vim__HasPrivilegeOnEntities {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	$int __sizeentity 1;
	struct vim__ManagedObjectReference *entity 1;
	char *sessionId 1;
	$int __sizeprivId 0;
	char **privId 0;
};
struct _vim__HasPrivilegeOnEntitiesResponse {
	$int __sizereturnval 0;
	struct vim__EntityPrivilege *returnval 0;
};

/* ---- snapshot tasks (--probe) ---------------------------------------- */

struct _vim__CreateSnapshot_USCORETask {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	char *name 1;
	char *description 0;
	enum xsd__boolean memory 1;
	enum xsd__boolean quiesce 1;
};
struct _vim__CreateSnapshot_USCORETaskResponse {
	struct vim__ManagedObjectReference *returnval 0;
};

struct _vim__RemoveSnapshot_USCORETask {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	enum xsd__boolean removeChildren 1;
	enum xsd__boolean *consolidate 0;
};
struct _vim__RemoveSnapshot_USCORETaskResponse {
	struct vim__ManagedObjectReference *returnval 0;
};

struct _vim__CancelTask {
	struct vim__ManagedObjectReference *_USCOREthis 1;
};
struct _vim__CancelTaskResponse {
	char *__dummy 0;
};

/* ---- task history (recent-snapshot-failure) --------------------------- */

struct vim__TaskFilterSpecByEntity {
	struct vim__ManagedObjectReference *entity 1;
	char *recursion 1;             /* self | children | all */
};

struct vim__TaskFilterSpecByTime {
	char *timeType 1;              /* queuedTime | startedTime | completedTime */
	char *beginTime 0;             /* xsd:dateTime */
	char *endTime 0;
};

struct vim__TaskFilterSpec {
	struct vim__TaskFilterSpecByEntity *entity 0;
	struct vim__TaskFilterSpecByTime *time 0;
	$int __sizestate 0;
	char **state 0;
};

struct _vim__CreateCollectorForTasks {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	struct vim__TaskFilterSpec *filter 1;
};
struct _vim__CreateCollectorForTasksResponse {
	struct vim__ManagedObjectReference *returnval 0;
};

struct _vim__ReadNextTasks {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	int maxCount 1;
};
/* TaskInfo carries polymorphic error/result/reason: each kept as literal XML */
struct _vim__ReadNextTasksResponse {
	$int __sizereturnval 0;
	_XML *returnval 0;
};

struct _vim__DestroyCollector {
	struct vim__ManagedObjectReference *_USCOREthis 1;
};
struct _vim__DestroyCollectorResponse {
	char *__dummy 0;
};

/* ---- guest operations (--guest, guest.c) ------------------------------ */

/*
 * Every guest operation's request is _this, then vm, auth and its own
 * parameters.  auth must carry xsi:type="NamePasswordAuthentication", and
 * several parameters and replies are polymorphic (GuestProgramSpec,
 * GuestRegValueDataSpec, GuestFileAttributes): so the request after _this
 * is literal XML built by guest.c, and each reply is kept as literal XML
 * and read with libxml2.
 */
struct _vim__GuestOp {
	struct vim__ManagedObjectReference *_USCOREthis 1;
	_XML __any;
};
struct _vim__GuestOpResponse {
	$int __sizereturnval 0;
	_XML *returnval 0;
};
typedef struct _vim__GuestOp _vim__ValidateCredentialsInGuest;
typedef struct _vim__GuestOpResponse _vim__ValidateCredentialsInGuestResponse;
typedef struct _vim__GuestOp _vim__ListRegistryValuesInGuest;
typedef struct _vim__GuestOpResponse _vim__ListRegistryValuesInGuestResponse;
typedef struct _vim__GuestOp _vim__ListRegistryKeysInGuest;
typedef struct _vim__GuestOpResponse _vim__ListRegistryKeysInGuestResponse;
typedef struct _vim__GuestOp _vim__InitiateFileTransferFromGuest;
typedef struct _vim__GuestOpResponse _vim__InitiateFileTransferFromGuestResponse;
typedef struct _vim__GuestOp _vim__CreateTemporaryFileInGuest;
typedef struct _vim__GuestOpResponse _vim__CreateTemporaryFileInGuestResponse;
typedef struct _vim__GuestOp _vim__DeleteFileInGuest;
typedef struct _vim__GuestOpResponse _vim__DeleteFileInGuestResponse;
typedef struct _vim__GuestOp _vim__StartProgramInGuest;
typedef struct _vim__GuestOpResponse _vim__StartProgramInGuestResponse;
typedef struct _vim__GuestOp _vim__ListProcessesInGuest;
typedef struct _vim__GuestOpResponse _vim__ListProcessesInGuestResponse;
typedef struct _vim__GuestOp _vim__TerminateProcessInGuest;
typedef struct _vim__GuestOpResponse _vim__TerminateProcessInGuestResponse;
typedef struct _vim__GuestOp _vim__ListFilesInGuest;
typedef struct _vim__GuestOpResponse _vim__ListFilesInGuestResponse;

/* ---- faults: the detail element is read as literal XML --------------- */

struct SOAP_ENV__Detail {
	_XML __any;
	int __type;
	void *fault;
};

/* ---- operations ------------------------------------------------------ */

//gsoap vim service method-style: document
//gsoap vim service method-encoding: literal
int __vim__RetrieveServiceContent(struct _vim__RetrieveServiceContent *vim__RetrieveServiceContent,
	struct _vim__RetrieveServiceContentResponse *vim__RetrieveServiceContentResponse);
int __vim__Login(struct _vim__Login *vim__Login, struct _vim__LoginResponse *vim__LoginResponse);
int __vim__Logout(struct _vim__Logout *vim__Logout, struct _vim__LogoutResponse *vim__LogoutResponse);
int __vim__CurrentTime(struct _vim__CurrentTime *vim__CurrentTime,
	struct _vim__CurrentTimeResponse *vim__CurrentTimeResponse);
int __vim__CreateContainerView(struct _vim__CreateContainerView *vim__CreateContainerView,
	struct _vim__CreateContainerViewResponse *vim__CreateContainerViewResponse);
int __vim__DestroyView(struct _vim__DestroyView *vim__DestroyView,
	struct _vim__DestroyViewResponse *vim__DestroyViewResponse);
int __vim__FindByInventoryPath(struct _vim__FindByInventoryPath *vim__FindByInventoryPath,
	struct _vim__FindByInventoryPathResponse *vim__FindByInventoryPathResponse);
int __vim__RetrievePropertiesEx(struct _vim__RetrievePropertiesEx *vim__RetrievePropertiesEx,
	struct _vim__RetrievePropertiesExResponse *vim__RetrievePropertiesExResponse);
int __vim__ContinueRetrievePropertiesEx(
	struct _vim__ContinueRetrievePropertiesEx *vim__ContinueRetrievePropertiesEx,
	struct _vim__ContinueRetrievePropertiesExResponse *vim__ContinueRetrievePropertiesExResponse);
int __vim__HasPrivilegeOnEntities(struct _vim__HasPrivilegeOnEntities *vim__HasPrivilegeOnEntities,
	struct _vim__HasPrivilegeOnEntitiesResponse *vim__HasPrivilegeOnEntitiesResponse);
int __vim__CreateSnapshot_USCORETask(struct _vim__CreateSnapshot_USCORETask *vim__CreateSnapshot_USCORETask,
	struct _vim__CreateSnapshot_USCORETaskResponse *vim__CreateSnapshot_USCORETaskResponse);
int __vim__RemoveSnapshot_USCORETask(struct _vim__RemoveSnapshot_USCORETask *vim__RemoveSnapshot_USCORETask,
	struct _vim__RemoveSnapshot_USCORETaskResponse *vim__RemoveSnapshot_USCORETaskResponse);
int __vim__CancelTask(struct _vim__CancelTask *vim__CancelTask,
	struct _vim__CancelTaskResponse *vim__CancelTaskResponse);
int __vim__CreateCollectorForTasks(struct _vim__CreateCollectorForTasks *vim__CreateCollectorForTasks,
	struct _vim__CreateCollectorForTasksResponse *vim__CreateCollectorForTasksResponse);
int __vim__ReadNextTasks(struct _vim__ReadNextTasks *vim__ReadNextTasks,
	struct _vim__ReadNextTasksResponse *vim__ReadNextTasksResponse);
int __vim__DestroyCollector(struct _vim__DestroyCollector *vim__DestroyCollector,
	struct _vim__DestroyCollectorResponse *vim__DestroyCollectorResponse);
int __vim__CancelRetrievePropertiesEx(
	struct _vim__CancelRetrievePropertiesEx *vim__CancelRetrievePropertiesEx,
	struct _vim__CancelRetrievePropertiesExResponse *vim__CancelRetrievePropertiesExResponse);

int __vim__ValidateCredentialsInGuest(_vim__ValidateCredentialsInGuest *vim__ValidateCredentialsInGuest,
	_vim__ValidateCredentialsInGuestResponse *vim__ValidateCredentialsInGuestResponse);
int __vim__ListRegistryValuesInGuest(_vim__ListRegistryValuesInGuest *vim__ListRegistryValuesInGuest,
	_vim__ListRegistryValuesInGuestResponse *vim__ListRegistryValuesInGuestResponse);
int __vim__ListRegistryKeysInGuest(_vim__ListRegistryKeysInGuest *vim__ListRegistryKeysInGuest,
	_vim__ListRegistryKeysInGuestResponse *vim__ListRegistryKeysInGuestResponse);
int __vim__InitiateFileTransferFromGuest(
	_vim__InitiateFileTransferFromGuest *vim__InitiateFileTransferFromGuest,
	_vim__InitiateFileTransferFromGuestResponse *vim__InitiateFileTransferFromGuestResponse);
int __vim__CreateTemporaryFileInGuest(_vim__CreateTemporaryFileInGuest *vim__CreateTemporaryFileInGuest,
	_vim__CreateTemporaryFileInGuestResponse *vim__CreateTemporaryFileInGuestResponse);
int __vim__DeleteFileInGuest(_vim__DeleteFileInGuest *vim__DeleteFileInGuest,
	_vim__DeleteFileInGuestResponse *vim__DeleteFileInGuestResponse);
int __vim__StartProgramInGuest(_vim__StartProgramInGuest *vim__StartProgramInGuest,
	_vim__StartProgramInGuestResponse *vim__StartProgramInGuestResponse);
int __vim__ListProcessesInGuest(_vim__ListProcessesInGuest *vim__ListProcessesInGuest,
	_vim__ListProcessesInGuestResponse *vim__ListProcessesInGuestResponse);
int __vim__TerminateProcessInGuest(_vim__TerminateProcessInGuest *vim__TerminateProcessInGuest,
	_vim__TerminateProcessInGuestResponse *vim__TerminateProcessInGuestResponse);
int __vim__ListFilesInGuest(_vim__ListFilesInGuest *vim__ListFilesInGuest,
	_vim__ListFilesInGuestResponse *vim__ListFilesInGuestResponse);
