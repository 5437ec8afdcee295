package cloudbill

import "time"

// UploadTime is how long someone who may import cloud bills is given to
// send one of MaxFileSize and have it imported: a server's usual limit on
// a request (minutes) is far too short for 2 GiB over an ordinary link. It
// allows for sending at 1 MiB a second, and as long again to import.
const UploadTime = 2 * time.Duration(MaxFileSize>>20) * time.Second
